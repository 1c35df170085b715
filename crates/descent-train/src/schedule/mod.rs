//! Learning-rate schedules (work in progress).
