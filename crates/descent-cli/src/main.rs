//! The `descent` command line (work in progress).

fn main() {
    println!("descent: work in progress");
}
