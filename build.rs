// Embedded migrations must be rebuilt when a .sql file changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
