//! Optimizers: gd, momentum, Adam, RMSProp, AdamW (work in progress).
