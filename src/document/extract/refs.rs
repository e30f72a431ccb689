//! 《》 legal references.

/// The distinct titles quoted in 《》, in order of first appearance.
pub fn legal_references(_text: &str) -> Vec<String> {
    Vec::new()
}
