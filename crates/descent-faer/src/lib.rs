//! The faer backend of descent (work in progress).
