//! Page view counters, shared by the tasks of a server.

pub mod counter;
