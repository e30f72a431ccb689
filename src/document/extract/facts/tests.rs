//! Unit tests of `facts_in`: one test per feature and per kind of trap, then sentences in the
//! style of real annual reports.

use super::facts_in;
use crate::document::result::Fact;

/// The single fact of `p`.
fn one(p: &str) -> Fact {
    let facts = facts_in(p);
    assert_eq!(facts.len(), 1, "{p}: expected one fact, got {facts:#?}");
    facts.into_iter().next().unwrap()
}

fn none(p: &str) {
    let facts = facts_in(p);
    assert!(facts.is_empty(), "{p}: expected no fact, got {facts:#?}");
}

/// (value, unit) of every fact of `p`.
fn values(p: &str) -> Vec<(f64, Option<String>)> {
    facts_in(p).into_iter().map(|f| (f.value, f.unit)).collect()
}

fn vu(value: f64, unit: &str) -> (f64, Option<String>) {
    (value, Some(unit.to_string()))
}

// ---- features ----

#[test]
fn wan_is_expanded_and_the_written_number_kept() {
    let f = one("普法讲座覆盖群众1.5万人次。");
    assert_eq!((f.value, f.unit.as_deref()), (15000.0, Some("人次")));
    assert_eq!(f.value_text.as_deref(), Some("1.5万"));
    let f = one("挽回群众潜在损失45.15万元");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.kind.as_deref()),
        (451500.0, Some("元"), Some("amount"))
    );
    assert_eq!(f.value_text.as_deref(), Some("45.15万"));
}

#[test]
fn area_with_wan_and_decimals() {
    let f = one("珠吉街应完成23.65万平方米拆违任务,");
    assert_eq!(f.value, 236500.0);
    assert_eq!(f.unit.as_deref(), Some("平方米"));
    assert_eq!(f.kind.as_deref(), Some("area"));
    assert_eq!(f.value_text.as_deref(), Some("23.65万"));
    assert_eq!(f.source, "珠吉街应完成23.65万平方米拆违任务");
}

#[test]
fn yi_is_expanded() {
    let f = one("全年投入资金1.2亿元");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.kind.as_deref()),
        (120_000_000.0, Some("元"), Some("amount"))
    );
    assert_eq!(f.value_text.as_deref(), Some("1.2亿"));
}

#[test]
fn plain_numbers_have_no_value_text() {
    let f = one("开展治安巡逻26次");
    assert_eq!(f.value_text, None);
    assert_eq!(f.kind, None);
    let f = one("办结率达到98.5%");
    assert_eq!(f.value, 98.5);
    assert_eq!(f.value_text, None);
}

#[test]
fn full_width_digits_keep_their_text() {
    let f = one("共办理案件１２件");
    assert_eq!((f.value, f.unit.as_deref()), (12.0, Some("件")));
    assert_eq!(f.value_text.as_deref(), Some("１２"));
    let f = one("满意率达９７．５％");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.kind.as_deref()),
        (97.5, Some("％"), Some("ratio"))
    );
}

#[test]
fn thousands_separators() {
    let f = one("累计派发宣传资料11,000余份");
    assert_eq!((f.value, f.qualifier.as_deref()), (11000.0, Some("余")));
    assert_eq!(f.value_text.as_deref(), Some("11,000"));
}

#[test]
fn qualifiers_before_and_after_the_number() {
    for (p, q) in [
        ("举办普法讲座60余场", "余"),
        ("共调解矛盾纠纷90多宗", "多"),
        ("播放宣传视频约52条次", "约"),
        ("印发宣传资料超过22种", "超过"),
        ("覆盖群众近3000人", "近"),
        ("受益群众逾500户", "逾"),
        ("每月开展培训不少于2次", "不少于"),
        ("全年发生安全事故仅1起", "仅"),
        ("群众满意度达95%以上", "以上"),
        ("参与群众300人左右", "左右"),
        ("累计派发超过11000余张册", "超过…余"),
    ] {
        assert_eq!(one(p).qualifier.as_deref(), Some(q), "{p}");
    }
}

#[test]
fn words_ending_in_a_qualifier_character_are_not_qualifiers() {
    assert_eq!(one("最近3次会议均已召开").qualifier, None);
    let f = one("共节约5万元");
    assert_eq!((f.value, f.qualifier.as_deref()), (50000.0, None));
}

#[test]
fn qualifier_between_number_and_multiplier() {
    let f = one("挽回经济损失10余万元");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.qualifier.as_deref()),
        (100000.0, Some("元"), Some("余"))
    );
    let f = one("服务群众1万余人次");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.qualifier.as_deref()),
        (10000.0, Some("人次"), Some("余"))
    );
}

#[test]
fn per_denominator_after_a_slash() {
    let f = one("完成执法人员业务知识和法律法规在岗培训62学时/每名执法人员。");
    assert_eq!((f.value, f.unit.as_deref()), (62.0, Some("学时")));
    assert_eq!(f.per.as_deref(), Some("每名执法人员"));
    assert_eq!(
        f.source,
        "完成执法人员业务知识和法律法规在岗培训62学时/每名执法人员"
    );
}

#[test]
fn per_from_averages_and_densities() {
    let f = one("执法人员人均办案12件。");
    assert_eq!((f.value, f.per.as_deref()), (12.0, Some("人均")));
    let f = one("每万人拥有律师3.5名");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.per.as_deref()),
        (3.5, Some("名"), Some("每万人"))
    );
    let f = one("培训时长不少于40学时/人。");
    assert_eq!(f.per.as_deref(), Some("人"));
    assert_eq!(one("开展执法检查1次/月").per.as_deref(), Some("月"));
    assert_eq!(one("每名执法人员培训40学时").per, None);
    assert_eq!(one("共有执法人员47名").per, None);
}

#[test]
fn implicit_unit_from_the_noun() {
    let f = one("2021年累计开展活动,普及人数超过4.2万。");
    assert_eq!(f.value, 42000.0);
    assert_eq!(f.unit.as_deref(), Some("人"));
    assert!(f.unit_implicit);
    assert_eq!(f.qualifier.as_deref(), Some("超过"));
    assert_eq!(f.value_text.as_deref(), Some("4.2万"));
    assert_eq!(f.source, "普及人数超过4.2万");
    let f = one("全年服务人次达3000,");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.unit_implicit),
        (3000.0, Some("人次"), true)
    );
    let f = one("年度考核得分95.5。");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.kind.as_deref()),
        (95.5, Some("分"), Some("score"))
    );
}

#[test]
fn money_without_a_unit() {
    let f = one(
        "化解矛盾纠纷案件260宗,维护群众利益540万,获群众赠送锦旗3面。"
            .split(',')
            .nth(1)
            .unwrap(),
    );
    assert_eq!(f.value, 5_400_000.0);
    assert_eq!(f.unit, None);
    assert!(f.unit_missing);
    assert_eq!(f.kind.as_deref(), Some("amount"));
    assert_eq!(f.value_text.as_deref(), Some("540万"));
    assert_eq!(f.source, "维护群众利益540万");
}

#[test]
fn money_nouns_ending_in_e() {
    let f = one("完成投资额1.6亿。");
    assert_eq!(
        (f.value, f.unit, f.unit_missing),
        (160_000_000.0, None, true)
    );
}

#[test]
fn a_bare_number_without_a_telling_noun_is_no_fact() {
    none("本单位编号为540。");
    none("群众满意度调查结果为98。");
}

#[test]
fn kinds() {
    assert_eq!(one("调解成功率达99%").kind.as_deref(), Some("ratio"));
    assert_eq!(one("案件发生率为1.5‰").kind.as_deref(), Some("ratio"));
    assert_eq!(one("处罚金额合计140905元").kind.as_deref(), Some("amount"));
    assert_eq!(one("新增绿地12亩").kind.as_deref(), Some("area"));
    assert_eq!(one("较去年下降15%").kind.as_deref(), Some("change"));
    assert_eq!(
        one("平均办理时限压缩60%以上").kind.as_deref(),
        Some("change")
    );
    assert_eq!(one("同比增长12.5%").kind.as_deref(), Some("change"));
    assert_eq!(one("较上年减少12件").kind.as_deref(), Some("change"));
    assert_eq!(one("办结率提升至98%").kind.as_deref(), Some("ratio"));
    assert_eq!(
        one("力争群众满意率达到95%以上").kind.as_deref(),
        Some("target")
    );
    assert_eq!(one("群众满意度测评得分96分").kind.as_deref(), Some("score"));
    assert_eq!(one("开展培训12场").kind, None);
}

#[test]
fn percentage_points_are_a_change() {
    let f = one("法治建设满意度提高2.3个百分点");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.kind.as_deref()),
        (2.3, Some("个百分点"), Some("change"))
    );
}

#[test]
fn longest_unit_wins() {
    assert_eq!(values("播放宣传视频52条次"), vec![vu(52.0, "条次")]);
    assert_eq!(values("出动执法人员8542人次"), vec![vu(8542.0, "人次")]);
    assert_eq!(values("累计派发11000张册"), vec![vu(11000.0, "张册")]);
    assert_eq!(values("检查各类场所4187家次"), vec![vu(4187.0, "家次")]);
    assert_eq!(
        values("办理时限压缩为3个工作日。"),
        vec![vu(3.0, "个工作日")]
    );
    assert_eq!(values("修建道路2.5公里"), vec![vu(2.5, "公里")]);
}

#[test]
fn a_space_between_number_and_unit_is_tolerated() {
    assert_eq!(values("开展治安巡逻 26 次"), vec![vu(26.0, "次")]);
    let f = one("排查化解矛盾纠纷 100 余起");
    assert_eq!((f.value, f.qualifier.as_deref()), (100.0, Some("余")));
}

#[test]
fn half_and_full_width_punctuation_both_bound_the_source() {
    assert_eq!(
        one("截至12月19日,行政诉讼案件共31件,尚在办理").source,
        "行政诉讼案件共31件"
    );
    assert_eq!(
        one("截至12月19日，行政诉讼案件共31件，尚在办理").source,
        "行政诉讼案件共31件"
    );
    assert_eq!(
        one("目前：街道共有4人持有法律职业资格证；").source,
        "街道共有4人持有法律职业资格证"
    );
}

#[test]
fn sources_split_at_list_items_with_their_own_number() {
    let facts = facts_in("共办结“12345”市长热线45件、县交办件21件,按期办结率100%");
    let sources: Vec<&str> = facts.iter().map(|f| f.source.as_str()).collect();
    assert_eq!(
        sources,
        [
            "共办结“12345”市长热线45件",
            "县交办件21件",
            "按期办结率100%"
        ]
    );
    assert_eq!(
        one("主持召开专题会议、班子会、推进会4次,").source,
        "主持召开专题会议、班子会、推进会4次"
    );
}

// ---- traps: never facts ----

#[test]
fn hotlines_and_phone_numbers() {
    none("依托12345热线、信访举报等途径");
    none("宣传推广“12348”法律援助咨询服务热线");
    none("咨询电话:0371-63812345");
    none("拨打12345,");
    assert_eq!(values("共办结“12345”市长热线45件"), vec![vu(45.0, "件")]);
}

#[test]
fn years_and_year_ranges() {
    none("2021年累计开展普法咨询");
    none("2022年度法治政府建设工作情况");
    none("《法治政府建设实施纲要(2021-2025年)》");
    none("第八个五年规划(2021—2025年)");
    none("自2022年11月起,与律所签约");
}

#[test]
fn dates_months_and_month_ranges() {
    none("截至12月19日,");
    none("截至8月,");
    none("截至12月底,");
    none("发文时间:2022年04月07日");
    assert_eq!(values("1-12月共审查行政合同228件"), vec![vu(228.0, "件")]);
    none("发布日期:2022.04.07");
    none("发布日期:2022/4/7");
}

#[test]
fn ordinals_and_ranks() {
    none("第十八届人民代表大会第二次会议");
    none("第3次会议");
    none("全区排名3位");
    none("获得全市前3名");
    assert_eq!(values("目前3家企业已入驻"), vec![vu(3.0, "家")]);
}

#[test]
fn codes_and_index_numbers() {
    none("索 引 号:370403/2022-00022");
    none("统一社会信用代码11110105MB1234567X");
    none("建成5G基站");
}

#[test]
fn document_numbers() {
    none("金文〔2023〕5号");
    none("京政发[2022]12号");
}

#[test]
fn quoted_model_names_and_slogans() {
    none("实行“3+8”服务供给模式");
    none("结合“3.15”消费者权益保护日、“12.4”宪法日");
    none("全面落实“3+X”矛盾纠纷多元化解工作机制");
    none("完成“15分钟公共法律服务圈”建设");
    none("开展“5·12”防灾减灾宣传");
    none("制定《珠吉街理论学习中心组2022年学习计划》");
}

#[test]
fn chinese_numerals_in_names_slogans_and_ordinals_are_not_facts() {
    none("以“八五”普法要求为指导,全面推进“三项制度”");
    none("做好两会等重要节点的工作,每月一次集中培训");
    none("落实“一年三问一评议”工作机制,推行“四统一”");
    none("坚决做到两个维护,严格落实八项规定精神,落实行政执法三项制度");
    none("召开第二次会议,落实市委四届十次全会精神,分四批取消审批事项");
    none("编制十四五规划,开展七五普法,取消一批行政许可事项,推行一次办");
    none("数十人参与,十分重要,每两年开展一次,这两个问题");
    none("推行“五个一”工作法,落实三个100%要求,主要体现在三个方面");
    none("位于三门县、七台河市和五家渠市");
    none("涉及横山、会龙、石洞、三家、玉丰等村");
    none("千方百计做好万人签名活动");
}

#[test]
fn quantities_written_in_words_are_facts() {
    let f = one("全年开展普法宣传活动,覆盖群众三万余人次。");
    assert_eq!((f.value, f.unit.as_deref()), (30000.0, Some("人次")));
    assert_eq!(f.value_text.as_deref(), Some("三万"));
    assert_eq!(f.qualifier.as_deref(), Some("余"));
    assert_eq!(f.source, "覆盖群众三万余人次");
    assert_eq!(
        values("调处矛盾纠纷两千余件,组织集中培训两轮,落户在东城十个村委会。"),
        vec![vu(2000.0, "件"), vu(2.0, "轮"), vu(10.0, "个")]
    );
    let f = one("年内已安排两次集体学法活动");
    assert_eq!((f.value, f.unit.as_deref()), (2.0, Some("次")));
    assert_eq!(f.value_text.as_deref(), Some("两"));
    // In order of appearance with the digits' facts.
    assert_eq!(
        values("办理案件12件,培训一百零五人,挽回损失3万元"),
        vec![vu(12.0, "件"), vu(105.0, "人"), vu(30000.0, "元")]
    );
}

#[test]
fn durations_used_as_attributes() {
    none("实行重大时间节点24小时值班制度");
    none("提供7×24小时服务");
    none("3个工作日内办结");
    assert_eq!(
        values("全年累计志愿服务1200小时。"),
        vec![vu(1200.0, "小时")]
    );
}

#[test]
fn week_days() {
    none("每周二、周四驻点办公,每周一三五上午轮流值班");
}

#[test]
fn ranges_of_counts_are_not_single_values() {
    none("每场培训3-5人");
    none("每次3至5人");
}

#[test]
fn unit_characters_starting_other_words() {
    none("服务120人民群众");
    none("建立3台账");
    none("3成员单位");
    none("修订2条例");
    none("60岁以上老人");
}

#[test]
fn latin_letters_glued_to_numbers() {
    none("推进H5页面建设");
    none("打造5A级景区");
}

// ---- sentences in the style of real reports ----

#[test]
fn report_style_sentences() {
    assert_eq!(
        values("全年共受理行政复议申请12件，其中维持8件，撤销2件，确认违法1件。"),
        vec![vu(12.0, "件"), vu(8.0, "件"), vu(2.0, "件"), vu(1.0, "件")]
    );
    let f = one("组织开展执法人员培训，培训执法人员300余人次。");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.qualifier.as_deref()),
        (300.0, Some("人次"), Some("余"))
    );
    assert_eq!(f.source, "培训执法人员300余人次");
    assert_eq!(
        values("政务服务事项网上可办率达到100%，办结率达到98.5%。"),
        vec![vu(100.0, "%"), vu(98.5, "%")]
    );
    let f = one("2023年投入法治建设专项资金1.2亿元，");
    assert_eq!(
        (f.value, f.kind.as_deref()),
        (120_000_000.0, Some("amount"))
    );
    let f = one("行政诉讼案件数量较去年下降15%。");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.kind.as_deref()),
        (15.0, Some("%"), Some("change"))
    );
    assert_eq!(
        values("建成村（社区）公共法律服务工作室23个，配备法律顾问46名，实现全覆盖。"),
        vec![vu(23.0, "个"), vu(46.0, "名")]
    );
    assert_eq!(
        values("开展“法律进社区”活动35场次，发放宣传册2000余册。"),
        vec![vu(35.0, "场次"), vu(2000.0, "册")]
    );
    assert_eq!(
        values("审核规范性文件8件、重大行政决策3项、合同56份。"),
        vec![vu(8.0, "件"), vu(3.0, "项"), vu(56.0, "份")]
    );
    assert_eq!(
        values("全年办理法律援助案件86件，为群众挽回经济损失320万元。"),
        vec![vu(86.0, "件"), vu(3_200_000.0, "元")]
    );
    assert_eq!(
        values("依法拆除违法建筑42宗，面积1.8万平方米。"),
        vec![vu(42.0, "宗"), vu(18000.0, "平方米")]
    );
    assert_eq!(
        values("受理群众来信来访156批次、623人次。"),
        vec![vu(156.0, "批次"), vu(623.0, "人次")]
    );
    assert_eq!(
        values("召开党工委会议专题研究法治工作4次，听取汇报2次。"),
        vec![vu(4.0, "次"), vu(2.0, "次")]
    );
    assert_eq!(
        values("共有执法人员47名，持证率100%。"),
        vec![vu(47.0, "名"), vu(100.0, "%")]
    );
    assert_eq!(
        values("行政机关负责人出庭应诉率达100%，出庭应诉9次。"),
        vec![vu(100.0, "%"), vu(9.0, "次")]
    );
    let f = one("力争2024年行政复议纠错率下降至5%以下。");
    assert_eq!(
        (f.value, f.kind.as_deref(), f.qualifier.as_deref()),
        (5.0, Some("target"), Some("以下"))
    );
    assert_eq!(
        values("开展安全生产检查1,260家次，整改隐患3,415处。"),
        vec![vu(1260.0, "家次"), vu(3415.0, "处")]
    );
    assert_eq!(
        values("发放《民法典》读本3000本，张贴宣传海报500张。"),
        vec![vu(3000.0, "本"), vu(500.0, "张")]
    );
    assert_eq!(
        values("全街道12个社区均设立法治宣传栏，共48块。"),
        vec![vu(12.0, "个"), vu(48.0, "块")]
    );
    let f = one("人均参加学法时长不少于40学时。");
    assert_eq!(
        (f.value, f.unit.as_deref(), f.qualifier.as_deref()),
        (40.0, Some("学时"), Some("不少于"))
    );
    assert_eq!(
        values("依法处置网络舆情7起，回应率100%。"),
        vec![vu(7.0, "起"), vu(100.0, "%")]
    );
    assert_eq!(
        values("征收土地约320亩，涉及农户85户。"),
        vec![vu(320.0, "亩"), vu(85.0, "户")]
    );
    assert_eq!(
        values("法律顾问列席会议21次，出具法律意见书33份。"),
        vec![vu(21.0, "次"), vu(33.0, "份")]
    );
}

#[test]
fn facts_come_in_order_of_appearance() {
    let facts = facts_in("累计接访群众280批402人次,化解矛盾纠纷案件260宗");
    let got: Vec<(f64, &str)> = facts
        .iter()
        .map(|f| (f.value, f.unit.as_deref().unwrap()))
        .collect();
    assert_eq!(got, [(280.0, "批"), (402.0, "人次"), (260.0, "宗")]);
    assert_eq!(facts[0].source, "累计接访群众280批");
}

#[test]
fn sources_are_verbatim_substrings() {
    let p = "今年以来，珠吉街共调解矛盾纠纷90多宗，纠纷调解率100%，调解成功率达99%，总涉及金额430.6万元。";
    let facts = facts_in(p);
    assert_eq!(facts.len(), 4);
    for f in &facts {
        assert!(p.contains(&f.source), "{} not in the paragraph", f.source);
        assert!(f.section.is_none() && f.table_cell.is_none());
    }
    assert_eq!(facts[3].source, "总涉及金额430.6万元");
}

#[test]
fn paragraphs_without_digits_and_empty_input() {
    none("");
    none("全面推进依法行政，加强法治政府建设。");
    none("1");
}

#[test]
fn value_text_only_when_the_written_number_differs() {
    assert_eq!(one("增长0.5%").value_text, None);
    assert_eq!(one("增长1.50%").value_text.as_deref(), Some("1.50"));
    assert_eq!(one("共05件").value_text.as_deref(), Some("05"));
    assert_eq!(one("共10件").value_text, None);
    assert_eq!(one("共3万人").value_text.as_deref(), Some("3万"));
}

#[test]
fn the_traditional_unit_set_is_what_traditional_unit_maps() {
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        assert_eq!(
            super::TRADITIONAL_UNITS.contains(c),
            super::traditional_unit(c).is_some(),
            "{c}"
        );
    }
}
