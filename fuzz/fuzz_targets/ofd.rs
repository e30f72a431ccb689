//! Bytes -> the OFD reader (zip + quick-xml + the shared layout step). The first byte picks
//! what the rest is: even, a whole package, as uploaded; odd, one page's `Content.xml`, put
//! into a minimal valid package here, so mutations reach the page parser and the layout step
//! instead of dying on the zip's CRCs. A panic, or an allocation past libFuzzer's
//! -rss_limit_mb, is the finding; a typed error is the expected end of hostile input.
#![no_main]

use docingest::document::{readers::ofd, Limits};
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

const OFD_XML: &str = r#"<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#;
const DOCUMENT_XML: &str = r#"<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:TemplatePage ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/><ofd:Page ID="2" BaseLoc="/Doc_0/Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>"#;

fn package(content: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut out);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [
        ("OFD.xml", OFD_XML.as_bytes()),
        ("Doc_0/Document.xml", DOCUMENT_XML.as_bytes()),
        ("Doc_0/Pages/Page_0/Content.xml", content),
    ] {
        w.start_file(name, opts).expect("in-memory zip");
        w.write_all(data).expect("in-memory zip");
    }
    w.finish().expect("in-memory zip");
    out.into_inner()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_input_bytes: 1 << 20,
        ..Default::default()
    };
    if selector % 2 == 0 {
        let _ = ofd::read(rest, &limits);
    } else {
        let _ = ofd::read(&package(rest), &limits);
    }
});
