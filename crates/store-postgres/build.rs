//! The PostgreSQL tests need a server: they are built only when
//! `CANDOUR_TEST_POSTGRES` names a database to make their schemas in
//! (`.ci/run` sets it), so that `cargo test` on a machine without one still passes.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(candour_postgres_tests)");
    println!("cargo::rerun-if-env-changed=CANDOUR_TEST_POSTGRES");
    if std::env::var_os("CANDOUR_TEST_POSTGRES").is_some() {
        println!("cargo::rustc-cfg=candour_postgres_tests");
    }
}
