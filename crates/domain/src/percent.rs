//! How every page, CSV and reason writes a percentage: one rule, so the same
//! share never reads 12% in one place and 13% in another.

/// `value`, in percent, as people read it: rounded half up to a whole percent
/// (12.5 → "13%"), except that a share that is neither none nor all never reads
/// "0%" or "100%": it keeps one decimal, towards the middle (0.4 → "0.4%",
/// 99.5 → "99.5%", 99.96 → "99.9%"). Outside 0–100 it is clamped.
pub fn percent(value: f64) -> String {
    if value.is_nan() {
        return "not known".to_string();
    }
    // Shares times 100 carry float noise (0.145 × 100 = 14.499…); snap it away first.
    let p = ((value.clamp(0.0, 100.0)) * 1e6).round() / 1e6;
    let whole = (p + 0.5).floor();
    if whole == 0.0 && p > 0.0 {
        format!("{:.1}%", ((p * 10.0).ceil() / 10.0))
    } else if whole == 100.0 && p < 100.0 {
        format!("{:.1}%", ((p * 10.0).floor() / 10.0))
    } else {
        format!("{whole:.0}%")
    }
}

/// `share` (0 to 1) as a percentage, by the same rule as [`percent`].
pub fn percent_of_share(share: f64) -> String {
    percent(share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_round_up_to_a_whole_percent() {
        assert_eq!(percent(12.5), "13%");
        assert_eq!(percent(2.5), "3%", "not to the even neighbour, as {{:.0}} would");
        assert_eq!(percent(12.49), "12%");
        assert_eq!(percent(77.5), "78%");
        assert_eq!(percent_of_share(0.145), "15%", "float noise in 0.145 × 100 does not round it down");
        assert_eq!(percent_of_share(0.125), "13%");
    }

    #[test]
    fn a_share_neither_none_nor_all_never_reads_0_or_100() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.5), "1%");
        assert_eq!(percent(0.4), "0.4%");
        assert_eq!(percent(0.01), "0.1%");
        assert_eq!(percent(99.5), "99.5%");
        assert_eq!(percent(99.96), "99.9%");
        assert_eq!(percent(99.4), "99%");
        assert_eq!(percent(100.0), "100%");
    }

    #[test]
    fn out_of_range_and_unknown_values_are_never_misread() {
        assert_eq!(percent(-3.0), "0%");
        assert_eq!(percent(130.0), "100%");
        assert_eq!(percent(f64::NAN), "not known");
    }
}
