use super::*;

#[test]
fn chinese_names_keep_only_the_surname() {
    assert_eq!(mask_name("张三"), "张*");
    assert_eq!(mask_name("李小龙"), "李**");
    assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
    assert_eq!(mask_name("诸葛亮"), "诸葛*");
    // A two-character name that happens to be a compound surname keeps one character.
    assert_eq!(mask_name("东方"), "东*");
}

#[test]
fn minority_and_foreign_names_are_masked_word_by_word() {
    assert_eq!(mask_name("买买提·艾力"), "买**·**");
    assert_eq!(mask_name("SMITH, JOHN"), "S****, J***");
    assert_eq!(mask_name("KIM MINJUN"), "K** M*****");
}

#[test]
fn id_numbers_show_first_three_and_last_four() {
    assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
    assert_eq!(mask_id_number("810000199001011234"), "810***********1234");
    assert_eq!(mask_id_number("1234567"), "*******");
    assert_eq!(mask_id_number(""), "");
}
