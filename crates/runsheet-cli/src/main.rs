//! The `runsheet` command: a thin layer of clap parsing over the core crates (skeleton; owned by the store engineer).

fn main() {}
