//! Synthetic sample cards for the simulator, tests and the desktop kiosk. Every person
//! here is invented; the ID numbers carry correct check characters (computed for these
//! invented birth dates) except where a sample exists to exercise a bad one.

use super::card::SimCard;
use crate::idcard::text::{MARKER_OFFSET, TEXT_LEN};

/// Builds a 256-byte UCS-2LE text block field by field; unused positions are spaces.
#[derive(Clone)]
pub struct TextBlock([u8; TEXT_LEN]);

impl Default for TextBlock {
    fn default() -> Self {
        Self::new()
    }
}

impl TextBlock {
    /// An all-space block (a resident card's layout marker is a space).
    pub fn new() -> Self {
        let mut block = [0u8; TEXT_LEN];
        for pair in block.chunks_exact_mut(2) {
            pair[0] = 0x20;
        }
        Self(block)
    }

    /// Writes `text` at byte `offset`, truncated to `len` bytes; the rest of the field
    /// stays spaces.
    pub fn put(mut self, offset: usize, len: usize, text: &str) -> Self {
        let end = (offset + len).min(TEXT_LEN);
        for (slot, unit) in self.0[offset..end]
            .chunks_exact_mut(2)
            .zip(text.encode_utf16())
        {
            slot.copy_from_slice(&unit.to_le_bytes());
        }
        self
    }

    /// Sets the card-type marker at byte 248.
    pub fn marker(self, marker: char) -> Self {
        self.put(MARKER_OFFSET, 2, &marker.to_string())
    }

    /// The finished block.
    pub fn bytes(&self) -> [u8; TEXT_LEN] {
        self.0
    }
}

/// Fields of a resident card ('J' permits share the first nine).
pub struct ResidentFields<'a> {
    /// 姓名.
    pub name: &'a str,
    /// Gender code.
    pub gender: &'a str,
    /// Nation code.
    pub nation: &'a str,
    /// YYYYMMDD.
    pub birth: &'a str,
    /// 住址.
    pub address: &'a str,
    /// 公民身份号码.
    pub number: &'a str,
    /// 签发机关.
    pub issuer: &'a str,
    /// YYYYMMDD.
    pub valid_from: &'a str,
    /// YYYYMMDD or 长期.
    pub valid_until: &'a str,
}

/// A resident card's text block (reference §2.1).
pub fn resident_block(f: &ResidentFields<'_>) -> TextBlock {
    TextBlock::new()
        .put(0, 30, f.name)
        .put(30, 2, f.gender)
        .put(32, 4, f.nation)
        .put(36, 16, f.birth)
        .put(52, 70, f.address)
        .put(122, 36, f.number)
        .put(158, 30, f.issuer)
        .put(188, 16, f.valid_from)
        .put(204, 16, f.valid_until)
}

/// A 'J' permit's text block (§2.3): resident fields without nation, plus the
/// travel-permit number and issue count.
pub fn hmt_block(f: &ResidentFields<'_>, permit_number: &str, issue_count: &str) -> TextBlock {
    resident_block(&ResidentFields { nation: "", ..*f })
        .put(220, 18, permit_number)
        .put(238, 4, issue_count)
        .marker('J')
}

/// Fields of a foreigner's permanent residence card.
pub struct ForeignFields<'a> {
    /// English name (for 'Y', up to 46 characters, split at 35 across two fields).
    pub name_en: &'a str,
    /// Chinese name.
    pub name: &'a str,
    /// Gender code.
    pub gender: &'a str,
    /// Card number.
    pub number: &'a str,
    /// GB/T 2659 three-letter code.
    pub nationality: &'a str,
    /// YYYYMMDD.
    pub birth: &'a str,
    /// YYYYMMDD.
    pub valid_from: &'a str,
    /// YYYYMMDD.
    pub valid_until: &'a str,
}

/// A 2017 'I' card's text block (§2.4).
pub fn foreign_2017_block(f: &ForeignFields<'_>, version: &str, office: &str) -> TextBlock {
    TextBlock::new()
        .put(0, 120, f.name_en)
        .put(120, 2, f.gender)
        .put(122, 30, f.number)
        .put(152, 6, f.nationality)
        .put(158, 30, f.name)
        .put(188, 16, f.valid_from)
        .put(204, 16, f.valid_until)
        .put(220, 16, f.birth)
        .put(236, 4, version)
        .put(240, 8, office)
        .marker('I')
}

/// A 2023 'Y' card's text block (§2.5, preferred layout).
pub fn foreign_2023_block(f: &ForeignFields<'_>, renewals: &str, previous_link: &str) -> TextBlock {
    let first: String = f.name_en.chars().take(35).collect();
    let rest: String = f.name_en.chars().skip(35).collect();
    TextBlock::new()
        .put(0, 30, f.name)
        .put(30, 2, f.gender)
        .put(32, 4, renewals)
        .put(36, 16, f.birth)
        .put(52, 70, &first)
        .put(122, 36, f.number)
        .put(188, 16, f.valid_from)
        .put(204, 16, f.valid_until)
        .put(220, 22, &rest)
        .put(242, 6, f.nationality)
        .put(250, 6, previous_link)
        .marker('Y')
}

/// A sample: stable id, what it is for, and the card.
pub struct Sample {
    /// Stable identifier used in scenario files and tests.
    pub id: &'static str,
    /// What the sample exercises.
    pub description: &'static str,
    /// Builds the card.
    pub build: fn() -> SimCard,
}

/// Every sample card.
pub const SAMPLES: &[Sample] = &[
    Sample {
        id: "resident-zhang",
        description: "resident, male, 汉, born 1985, 20-year validity, two fingerprints",
        build: zhang,
    },
    Sample {
        id: "resident-ouyang",
        description: "resident with the compound surname 欧阳, female, 壮",
        build: ouyang,
    },
    Sample {
        id: "resident-li-elderly",
        description: "resident aged 60+, female, 长期 validity",
        build: li_elderly,
    },
    Sample {
        id: "resident-wang-longterm",
        description: "resident aged 50+, male, 回, 长期 validity, one additional address",
        build: wang_longterm,
    },
    Sample {
        id: "resident-liu-minor",
        description: "resident minor (born 2014), 5-year validity",
        build: liu_minor,
    },
    Sample {
        id: "resident-jin-korean",
        description: "resident of the 朝鲜 nation, aged 60+, 长期 validity",
        build: jin_korean,
    },
    Sample {
        id: "resident-lowercase-x",
        description: "resident whose number ends in a lower-case x",
        build: lowercase_x,
    },
    Sample {
        id: "resident-unknown-nation",
        description: "resident with nation code 59, which the table does not know",
        build: unknown_nation,
    },
    Sample {
        id: "resident-bad-check",
        description: "resident whose ID number has a wrong check digit",
        build: bad_check,
    },
    Sample {
        id: "hmt-chen",
        description: "'J' Hong Kong residence permit, one fingerprint",
        build: hmt_chen,
    },
    Sample {
        id: "foreign-2017-tester",
        description: "'I' 2017 foreigner permanent residence card",
        build: foreign_2017,
    },
    Sample {
        id: "foreign-2023-sample",
        description: "'Y' 2023 foreigner permanent residence card, English name over 35 characters",
        build: foreign_2023,
    },
];

/// The sample with this id.
pub fn sample(id: &str) -> Option<SimCard> {
    SAMPLES.iter().find(|s| s.id == id).map(|s| (s.build)())
}

/// The ids of all samples.
pub fn sample_ids() -> impl Iterator<Item = &'static str> {
    SAMPLES.iter().map(|s| s.id)
}

fn zhang() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "张伟",
        gender: "1",
        nation: "01",
        birth: "19850615",
        address: "北京市东城区示例胡同10号",
        number: "110101198506150019",
        issuer: "北京市公安局东城分局",
        valid_from: "20160301",
        valid_until: "20360301",
    });
    SimCard::new("resident-zhang", block.bytes()).with_fingerprints(2)
}

fn ouyang() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "欧阳晓梅",
        gender: "2",
        nation: "08",
        birth: "19921103",
        address: "广西壮族自治区南宁市青秀区示例路8号",
        number: "450103199211030023",
        issuer: "南宁市公安局青秀分局",
        valid_from: "20210410",
        valid_until: "20410410",
    });
    SimCard::new("resident-ouyang", block.bytes())
}

fn li_elderly() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "李桂兰",
        gender: "2",
        nation: "01",
        birth: "19480920",
        address: "河南省郑州市金水区示例路3号院2号楼1单元",
        number: "410105194809200042",
        issuer: "郑州市公安局金水分局",
        valid_from: "20120508",
        valid_until: "长期",
    });
    SimCard::new("resident-li-elderly", block.bytes())
}

fn wang_longterm() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "王建国",
        gender: "1",
        nation: "03",
        birth: "19720108",
        address: "宁夏回族自治区银川市兴庆区示例巷5号",
        number: "640104197201080011",
        issuer: "银川市公安局兴庆区分局",
        valid_from: "20191011",
        valid_until: "长期",
    });
    SimCard::new("resident-wang-longterm", block.bytes())
        .with_additional_address("宁夏回族自治区银川市金凤区示例大街20号")
}

fn liu_minor() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "刘小雨",
        gender: "2",
        nation: "01",
        birth: "20140830",
        address: "四川省成都市武侯区示例街12号",
        number: "510107201408300025",
        issuer: "成都市公安局武侯区分局",
        valid_from: "20230901",
        valid_until: "20280901",
    });
    SimCard::new("resident-liu-minor", block.bytes())
}

fn jin_korean() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "金顺姬",
        gender: "2",
        nation: "10",
        birth: "19580315",
        address: "吉林省延边朝鲜族自治州延吉市示例路7号",
        number: "222401195803150023",
        issuer: "延吉市公安局",
        valid_from: "20100615",
        valid_until: "长期",
    });
    SimCard::new("resident-jin-korean", block.bytes())
}

fn lowercase_x() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "周静",
        gender: "2",
        nation: "01",
        birth: "19750712",
        address: "浙江省杭州市西湖区示例弄4号",
        number: "33010619750712104x",
        issuer: "杭州市公安局西湖区分局",
        valid_from: "20150302",
        valid_until: "20350302",
    });
    SimCard::new("resident-lowercase-x", block.bytes())
}

fn unknown_nation() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "赵明",
        gender: "1",
        nation: "59",
        birth: "19900202",
        address: "北京市西城区示例街道1号",
        number: "110105199002020018",
        issuer: "北京市公安局西城分局",
        valid_from: "20180110",
        valid_until: "20380110",
    });
    SimCard::new("resident-unknown-nation", block.bytes())
}

fn bad_check() -> SimCard {
    let block = resident_block(&ResidentFields {
        name: "孙立",
        gender: "1",
        nation: "01",
        birth: "19800505",
        address: "北京市海淀区示例路66号",
        // The valid number would end in 4.
        number: "110108198005050015",
        issuer: "北京市公安局海淀分局",
        valid_from: "20200601",
        valid_until: "20400601",
    });
    SimCard::new("resident-bad-check", block.bytes())
}

fn hmt_chen() -> SimCard {
    let block = hmt_block(
        &ResidentFields {
            name: "陈家明",
            gender: "1",
            nation: "",
            birth: "19881201",
            address: "广东省深圳市福田区示例大道88号",
            number: "810000198812010034",
            issuer: "深圳市公安局",
            valid_from: "20230601",
            valid_until: "20280601",
        },
        "H10293847",
        "01",
    );
    SimCard::new("hmt-chen", block.bytes()).with_fingerprints(1)
}

fn foreign_2017() -> SimCard {
    let block = foreign_2017_block(
        &ForeignFields {
            name_en: "TESTER JOHN ALEXANDER",
            name: "约翰",
            gender: "1",
            number: "USA110087030512",
            nationality: "USA",
            birth: "19870305",
            valid_from: "20180401",
            valid_until: "20280401",
        },
        "01",
        "1100",
    );
    SimCard::new("foreign-2017-tester", block.bytes())
}

fn foreign_2023() -> SimCard {
    let block = foreign_2023_block(
        &ForeignFields {
            name_en: "SAMPLE-TESTFORD ALEXANDRA CATHERINE ELIZABETH",
            name: "亚历山德拉",
            gender: "2",
            number: "91241119900315002X",
            nationality: "CAN",
            birth: "19900315",
            valid_from: "20240110",
            valid_until: "20340110",
        },
        "00",
        "000",
    );
    SimCard::new("foreign-2023-sample", block.bytes())
}
