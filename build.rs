// Embedded migrations must be rebuilt when a .sql file changes.
//
// The API tests' PostgreSQL variants are compiled as `#[ignore]` unless a server is named
// (`JANJI_TEST_POSTGRES_URL`), so a run without one reports them ignored, not passed. In CI
// they are never ignored: without the variable they run and fail, loudly.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rustc-check-cfg=cfg(janji_pg_tests)");
    println!("cargo:rerun-if-env-changed=JANJI_TEST_POSTGRES_URL");
    println!("cargo:rerun-if-env-changed=CI");
    let url_set = std::env::var("JANJI_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty());
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    if url_set || in_ci {
        println!("cargo:rustc-cfg=janji_pg_tests");
    }
}
