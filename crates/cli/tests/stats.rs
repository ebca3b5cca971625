//! `candour stats proportions` run as a person would: the notes' worked vector end to
//! end, standard input, and every kind of bad row, each refused naming its line.

mod common;

use std::process::Output;

use serde_json::Value;

use common::{candour, candour_with_input, example, result_of, text};

fn stats_stdin(input: &str, extra: &[&str]) -> Output {
    candour_with_input(&[&["stats", "proportions", "-"], extra].concat(), input)
}

fn rounded(value: &Value, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value.as_f64().expect("a number") * scale).round() / scale
}

/// The refusal of a bad input: non-zero, nothing on standard output, the message on standard error.
fn refusal(out: &Output) -> String {
    assert!(!out.status.success(), "accepted: {}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "printed: {}", text(&out.stdout));
    text(&out.stderr)
}

const IDS: [&str; 7] =
    ["1-101000001", "1-101000002", "1-101000003", "1-101000004", "1-101000005", "1-101000006", "1-101000007"];

#[test]
fn the_worked_vector_comes_out_as_in_the_notes() {
    let out =
        candour(&["stats", "proportions", example("proportions.csv").to_str().expect("a UTF-8 path"), "--trim", "0"]);
    let result = result_of(&out);
    assert_eq!(rounded(&result["theta0"], 4), 0.7692);
    assert_eq!(rounded(&result["phi"], 2), 5.93);
    assert_eq!(rounded(&result["tau2"], 5), 0.03085);
    assert_eq!(result["trim"], 0.0);
    assert_eq!(result["min_n"], 1);
    assert_eq!(result["target"], Value::Null);
    assert_eq!(rounded(&result["prior"]["m"], 2), 16.08);
    let services = &result["services"];
    let z: Vec<f64> = IDS.iter().map(|id| rounded(&services[id]["z"], 2)).collect();
    assert_eq!(z, [1.92, -2.84, -2.77, 2.71, -3.40, 1.73, -0.42]);
    // The notes print −1.68 for the third; the formula gives −1.6749 (see the README).
    let z_adj: Vec<f64> = IDS.iter().map(|id| rounded(&services[id]["z_adj"], 2)).collect();
    assert_eq!(z_adj, [0.91, -0.91, -1.67, 0.45, -1.15, 1.05, -0.34]);
    assert_eq!(rounded(&services["1-101000006"]["shrunk"], 3), 0.858);
    assert_eq!(rounded(&services["1-101000007"]["shrunk"], 3), 0.753);
    assert_eq!(rounded(&services["1-101000004"]["shrunk"], 3), 0.844);
    assert!(IDS.iter().all(|id| services[id]["flag"] == "none"));
    let first = &services["1-101000001"];
    assert_eq!((first["n"].as_u64(), first["p"].as_f64()), (Some(20), Some(0.95)));
    for field in ["wilson_lo", "wilson_hi", "lo95", "hi95", "lo998", "hi998", "shrunk_lo", "shrunk_hi"] {
        assert!(first[field].is_f64(), "{field} missing");
    }
    assert!(text(&out.stderr).contains("estimated from only 7 services"), "{}", text(&out.stderr));
}

#[test]
fn flags_follow_the_adjusted_score_and_the_stated_default() {
    // Fewer services than --min-services: τ² is the default (0), so the raw alarms stand.
    let out = candour(&[
        "stats",
        "proportions",
        example("proportions.csv").to_str().expect("a UTF-8 path"),
        "--trim",
        "0",
        "--min-services",
        "10",
    ]);
    let result = result_of(&out);
    assert_eq!((result["tau2"].as_f64(), result["tau2_estimated"].as_bool()), (Some(0.0), Some(false)));
    let services = &result["services"];
    assert_eq!(services["1-101000005"]["flag"], "alarm");
    assert_eq!(services["1-101000002"]["flag"], "alert");
    assert_eq!(services["1-101000001"]["flag"], "none");
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn reads_standard_input_with_a_target_and_a_minimum() {
    let out = stats_stdin("id,x,n\na,0,3\nb,95,100\nc,60,100\n", &["--target", "0.8", "--min-n", "5"]);
    let result = result_of(&out);
    assert_eq!((result["theta0"].as_f64(), result["target"].as_f64()), (Some(0.8), Some(0.8)));
    assert_eq!(result["services_used"], 2);
    let small = &result["services"]["a"];
    assert!(small["z"].as_f64().expect("z") < -3.0);
    assert_eq!(small["flag"], "none", "below --min-n: figures, but no flag");
}

#[test]
fn each_bad_row_is_named_with_its_line() {
    let input = "id,x,n\nok,1,2\nshort,1\nword,one,2\nminus,1,-2\nover,5,4\nnone,0,0\nok,1,3\n,1,2\n";
    let message = refusal(&stats_stdin(input, &[]));
    for expected in [
        "standard input has 7 invalid rows",
        "line 3: expected 3 columns id,x,n, found 2",
        "line 4: x must be a whole number of at least 0 (it is \"one\")",
        "line 5: n must be a whole number of at least 0 (it is \"-2\")",
        "line 6: x (5) is more than n (4) for over",
        "line 7: n is 0 for none: a service needs at least one answer to compare",
        "line 8: the id ok is already on line 2",
        "line 9: the id is empty",
    ] {
        assert!(message.contains(expected), "missing {expected:?} in {message}");
    }
}

#[test]
fn empty_files_wrong_headers_and_bad_options_are_clear_errors() {
    assert!(refusal(&stats_stdin("", &[])).contains("standard input is empty: expected a header id,x,n"));
    assert!(refusal(&stats_stdin("id,x,n\n", &[])).contains("has a header but no services"));
    let wrong = refusal(&stats_stdin("location,positive,total\na,1,2\n", &[]));
    assert!(wrong.contains("line 1: the header must be id,x,n (it is location,positive,total)"), "{wrong}");
    let trim = refusal(&stats_stdin("id,x,n\na,1,2\n", &["--trim", "0.7"]));
    assert!(trim.contains("the trim fraction must be at least 0 and below 0.5 (it is 0.7)"), "{trim}");
    let target = refusal(&stats_stdin("id,x,n\na,1,2\n", &["--target", "1.5"]));
    assert!(target.contains("the target must be between 0 and 1"), "{target}");
    let missing = refusal(&candour(&["stats", "proportions", "/no/such/file.csv"]));
    assert!(missing.contains("cannot open /no/such/file.csv"), "{missing}");
}
