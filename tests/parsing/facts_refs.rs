//! Legal references of the seed reports: every 《》 title once, in order of first appearance.
//! The corpus is read from `$DOCINGEST_CORPUS` (default `../shared/corpus` next to the repository).

use docingest::document::extract::refs::legal_references;
use std::path::PathBuf;

fn seed(name: &str) -> String {
    let dir = std::env::var_os("DOCINGEST_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")));
    let path = dir.join("seeds").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set DOCINGEST_CORPUS)", path.display()))
}

#[test]
fn seed_001_references_in_order() {
    assert_eq!(
        legal_references(&seed("001_9c76b1dea792aca4.txt")),
        [
            "法治政府建设实施纲要(2021-2025年)",
            "北京市全面依法治市规划(2021-2025年)",
            "法治政府建设责任落实与督察工作规定",
            "2022年朝阳区推进法治政府建设工作要点",
            "重大行政决策程序暂行条例",
            "政府信息公开条例",
            "东坝乡党委理论中心组集体学法制度",
            "东坝乡行政应诉工作办法",
            "关于进一步加强司法所建设的意见",
        ]
    );
}

#[test]
fn seed_004_repeated_titles_appear_once() {
    let refs = legal_references(&seed("004_3631418bac9721d6.txt"));
    assert_eq!(
        refs,
        [
            "珠吉街理论学习中心组2022年学习计划",
            "中华人民共和国宪法",
            "民法典",
            "天河区街道办事处权责清单",
            "责令限期改正通知书",
            "中国共产党章程",
            "党政主要负责人履行推进法治建设第一责任人职责规定",
        ]
    );
}

#[test]
fn every_seed_title_is_short_trimmed_and_unique() {
    for name in [
        "000_90f5a89fff8b2d4c.txt",
        "001_9c76b1dea792aca4.txt",
        "002_acaf490cc139cbb4.txt",
        "003_95bdc2d1cb62a6be.txt",
        "004_3631418bac9721d6.txt",
    ] {
        let text = seed(name);
        let refs = legal_references(&text);
        assert!(!refs.is_empty(), "{name} quotes titles");
        for (i, r) in refs.iter().enumerate() {
            assert_eq!(r.trim(), r);
            assert!(!r.is_empty() && r.chars().count() <= 100);
            assert!(text.contains(&format!("《{r}》")), "{name}: {r}");
            assert!(!refs[..i].contains(r), "{name}: {r} twice");
        }
    }
}
