//! Hostile inputs measured for memory: bombs, deep nesting, lying sizes and far cells in every
//! binary format (.doc, docx, OFD, PDF, spreadsheets), each of which must end as a typed error
//! within its bounds. The .doc reader's own tests are here too, because they measure the same
//! way.
//!
//! This binary installs a counting global allocator ([`counting_alloc`]); a global allocator is
//! one per process, so everything that measures allocations lives in this binary and nothing
//! else does. Every test holds [`counting_alloc::serial`] for its whole body, so the peak
//! measured around a read is that read's own and no test running in parallel adds to it. It
//! needs the parsing library alone (`--no-default-features` builds it).

mod counting_alloc;
mod doc_support;
#[path = "../docx_support/mod.rs"]
mod docx_support;
#[path = "../pdf_support/mod.rs"]
mod pdf_support;
#[path = "../sheet_fixtures/mod.rs"]
mod sheet_fixtures;

#[global_allocator]
static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;

mod doc_reader;
mod docx_hostile;
mod ofd_hostile;
mod pdf_hostile;
mod sheet_hostile;
