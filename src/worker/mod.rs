//! The moving side: consume jobs, fetch, parse, publish.
pub mod disposition;
pub mod job;
pub mod storage;
