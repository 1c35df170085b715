//! A test binary without the counting allocator (the system one): the allocation tests fail
//! here instead of passing with a count that is always 0. A binary of its own because the
//! global allocator is per binary.

use std::panic::{UnwindSafe, catch_unwind};

use descent_backend_tests::props::no_alloc;
use descent_faer::Faer;

/// The message `f` panics with; fails if it returns.
fn panic_message(f: impl FnOnce() + UnwindSafe) -> String {
    let payload = catch_unwind(f).expect_err("an allocation test passed without a counter");
    match payload.downcast::<String>() {
        Ok(msg) => *msg,
        Err(payload) => payload.downcast::<&str>().map(|s| s.to_string()).unwrap_or_default(),
    }
}

#[test]
fn the_allocation_tests_fail_loudly_when_nothing_counts() {
    let tests: [(&str, fn()); 3] = [
        ("gemm_allocates_nothing", no_alloc::gemm_allocates_nothing::<f64, Faer>),
        ("training_steps_allocate_nothing", no_alloc::training_steps_allocate_nothing::<f32, Faer>),
        ("gemm_allocations", || {
            descent_backend_tests::gemm_allocations::<f64, Faer>(64, 64, 64);
        }),
    ];
    for (name, test) in tests {
        let msg = panic_message(test);
        assert!(msg.contains("did not count a Box::new"), "{name}: {msg}");
        assert!(msg.contains("allocator = own"), "{name} names the form to use: {msg}");
    }
}
