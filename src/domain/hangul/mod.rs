//! Korean input for the on-screen keyboard: the 두벌식 (KS X 5002) layout and the automaton
//! that composes its keystrokes (compatibility jamo, U+3131…) into Hangul syllables, as a
//! Korean keyboard does; and the decomposition search uses to match a syllable still being
//! typed (이호 on the way to 이혼) and spellings without the initial-sound rule (리혼, 로동),
//! which Korean-Chinese readers write.
//!
//! Syllables: `S = 0xAC00 + (L·21 + V)·28 + T` (Unicode ch. 3.12). The input keeps the
//! keystrokes, not the text: the text is the composition of the keystrokes, so backspace
//! takes back the last keystroke and splits what it had joined (값 → 갑, 과 → 고, 각사 → 갃).

/// The first syllable, 가.
const S_BASE: u32 = 0xAC00;
/// Vowels, and finals (T0 = none), per initial.
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
/// Syllables in all: the last is U+D7A3 힣.
const S_COUNT: u32 = 19 * 21 * 28;

/// Initial consonants in index order (L 0–18).
const INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];
/// Vowels in index order (V 0–20).
const VOWELS: [char; 21] = [
    'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ', 'ㅞ',
    'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ',
];
/// Final consonants in index order (T 1–27; T 0 is no final). ㄸ ㅃ ㅉ are never finals.
const FINALS: [char; 27] = [
    'ㄱ', 'ㄲ', 'ㄳ', 'ㄴ', 'ㄵ', 'ㄶ', 'ㄷ', 'ㄹ', 'ㄺ', 'ㄻ', 'ㄼ', 'ㄽ', 'ㄾ', 'ㄿ', 'ㅀ', 'ㅁ',
    'ㅂ', 'ㅄ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
];
/// Two vowel keys that make one vowel.
const COMPOUND_VOWELS: [(char, char, char); 7] = [
    ('ㅗ', 'ㅏ', 'ㅘ'),
    ('ㅗ', 'ㅐ', 'ㅙ'),
    ('ㅗ', 'ㅣ', 'ㅚ'),
    ('ㅜ', 'ㅓ', 'ㅝ'),
    ('ㅜ', 'ㅔ', 'ㅞ'),
    ('ㅜ', 'ㅣ', 'ㅟ'),
    ('ㅡ', 'ㅣ', 'ㅢ'),
];
/// Two consonant keys that make one final.
const COMPOUND_FINALS: [(char, char, char); 11] = [
    ('ㄱ', 'ㅅ', 'ㄳ'),
    ('ㄴ', 'ㅈ', 'ㄵ'),
    ('ㄴ', 'ㅎ', 'ㄶ'),
    ('ㄹ', 'ㄱ', 'ㄺ'),
    ('ㄹ', 'ㅁ', 'ㄻ'),
    ('ㄹ', 'ㅂ', 'ㄼ'),
    ('ㄹ', 'ㅅ', 'ㄽ'),
    ('ㄹ', 'ㅌ', 'ㄾ'),
    ('ㄹ', 'ㅍ', 'ㄿ'),
    ('ㄹ', 'ㅎ', 'ㅀ'),
    ('ㅂ', 'ㅅ', 'ㅄ'),
];

/// The 두벌식 keys (KS X 5002): the Latin key and the jamo it types, unshifted then shifted.
pub const DUBEOLSIK: [(char, char); 33] = [
    ('q', 'ㅂ'),
    ('w', 'ㅈ'),
    ('e', 'ㄷ'),
    ('r', 'ㄱ'),
    ('t', 'ㅅ'),
    ('y', 'ㅛ'),
    ('u', 'ㅕ'),
    ('i', 'ㅑ'),
    ('o', 'ㅐ'),
    ('p', 'ㅔ'),
    ('a', 'ㅁ'),
    ('s', 'ㄴ'),
    ('d', 'ㅇ'),
    ('f', 'ㄹ'),
    ('g', 'ㅎ'),
    ('h', 'ㅗ'),
    ('j', 'ㅓ'),
    ('k', 'ㅏ'),
    ('l', 'ㅣ'),
    ('z', 'ㅋ'),
    ('x', 'ㅌ'),
    ('c', 'ㅊ'),
    ('v', 'ㅍ'),
    ('b', 'ㅠ'),
    ('n', 'ㅜ'),
    ('m', 'ㅡ'),
    ('Q', 'ㅃ'),
    ('W', 'ㅉ'),
    ('E', 'ㄸ'),
    ('R', 'ㄲ'),
    ('T', 'ㅆ'),
    ('O', 'ㅒ'),
    ('P', 'ㅖ'),
];

/// The jamo a 두벌식 key types (`r` → ㄱ, `R` → ㄲ); an upper-case letter without a shifted
/// jamo types the unshifted one, as on a Korean keyboard.
pub fn jamo_for_key(key: char) -> Option<char> {
    let find = |k: char| DUBEOLSIK.iter().find(|(l, _)| *l == k).map(|&(_, j)| j);
    find(key).or_else(|| find(key.to_ascii_lowercase()))
}

/// Types Latin keys as on a 두벌식 keyboard (`dkssudgktpdy` → 안녕하세요); other characters
/// pass through.
pub fn compose_latin(keys: &str) -> String {
    let jamo: Vec<char> = keys.chars().map(|c| jamo_for_key(c).unwrap_or(c)).collect();
    compose(&jamo)
}

/// Whether `c` is a consonant key (or a compound final, which no key types).
fn is_consonant(c: char) -> bool {
    ('ㄱ'..='ㅎ').contains(&c)
}

/// Whether `c` is a vowel key (or a compound vowel).
fn is_vowel(c: char) -> bool {
    ('ㅏ'..='ㅣ').contains(&c)
}

fn initial_index(c: char) -> Option<u32> {
    INITIALS.iter().position(|&x| x == c).map(|i| i as u32)
}

fn vowel_index(c: char) -> Option<u32> {
    VOWELS.iter().position(|&x| x == c).map(|i| i as u32)
}

fn final_index(c: char) -> Option<u32> {
    FINALS.iter().position(|&x| x == c).map(|i| i as u32 + 1)
}

fn compound(table: &[(char, char, char)], a: char, b: char) -> Option<char> {
    table
        .iter()
        .find(|&&(x, y, _)| x == a && y == b)
        .map(|&(_, _, c)| c)
}

/// The two keys of a compound (ㅘ → ㅗ ㅏ, ㄳ → ㄱ ㅅ), or the key itself.
fn split(c: char) -> (char, Option<char>) {
    COMPOUND_VOWELS
        .iter()
        .chain(COMPOUND_FINALS.iter())
        .find(|&&(_, _, x)| x == c)
        .map_or((c, None), |&(a, b, _)| (a, Some(b)))
}

/// The syllable being composed: an initial, a vowel (one or two keys), a final (one or two
/// keys), each present or not as keys came.
#[derive(Debug, Default, Clone, Copy)]
struct Syllable {
    initial: Option<char>,
    vowel: Option<(char, Option<char>)>,
    last: Option<(char, Option<char>)>,
}

impl Syllable {
    fn is_empty(&self) -> bool {
        self.initial.is_none() && self.vowel.is_none()
    }

    fn vowel_char(&self) -> Option<char> {
        self.vowel.map(|(a, b)| match b {
            Some(b) => compound(&COMPOUND_VOWELS, a, b).unwrap_or(a),
            None => a,
        })
    }

    fn final_char(&self) -> Option<char> {
        self.last.map(|(a, b)| match b {
            Some(b) => compound(&COMPOUND_FINALS, a, b).unwrap_or(a),
            None => a,
        })
    }

    /// What the syllable shows: a whole syllable, or the lone jamo typed so far.
    fn push_to(&self, out: &mut String) {
        match (self.initial, self.vowel_char()) {
            (Some(l), Some(v)) => {
                let (Some(l), Some(v)) = (initial_index(l), vowel_index(v)) else {
                    out.extend([l, v]);
                    return;
                };
                let t = self.final_char().and_then(final_index).unwrap_or(0);
                let code = S_BASE + (l * V_COUNT + v) * T_COUNT + t;
                out.extend(char::from_u32(code));
            }
            (Some(l), None) => out.push(l),
            (None, Some(v)) => out.push(v),
            (None, None) => {}
        }
    }
}

/// Composes 두벌식 keystrokes into text: jamo keys into syllables, anything else as it is
/// (and ending the syllable before it).
///
/// A consonant after initial and vowel becomes the final if it can be one; after a final it
/// makes a compound final if there is one, else it starts the next syllable. A vowel after a
/// final takes the final (or the second half of a compound) as the initial of the next
/// syllable (각 + ㅅ + ㅏ → 각사). A second vowel makes a compound vowel if there is one, else
/// it starts the next syllable.
pub fn compose(keys: &[char]) -> String {
    let mut out = String::new();
    let mut s = Syllable::default();
    for &k in keys {
        if initial_index(k).is_some() {
            s = match (s.initial, s.vowel, s.last) {
                (Some(_), Some(_), None) if final_index(k).is_some() => Syllable {
                    last: Some((k, None)),
                    ..s
                },
                (Some(_), Some(_), Some((a, None)))
                    if compound(&COMPOUND_FINALS, a, k).is_some() =>
                {
                    Syllable {
                        last: Some((a, Some(k))),
                        ..s
                    }
                }
                _ => {
                    s.push_to(&mut out);
                    Syllable {
                        initial: Some(k),
                        ..Syllable::default()
                    }
                }
            };
        } else if vowel_index(k).is_some() {
            s = match (s.initial, s.vowel, s.last) {
                (Some(_), Some(_), Some((a, b))) => {
                    // The final (or its second half) moves to the next syllable.
                    let (kept, moved) = match b {
                        Some(b) => (Some((a, None)), b),
                        None => (None, a),
                    };
                    Syllable { last: kept, ..s }.push_to(&mut out);
                    Syllable {
                        initial: Some(moved),
                        vowel: Some((k, None)),
                        last: None,
                    }
                }
                (Some(_), None, _) => Syllable {
                    vowel: Some((k, None)),
                    ..s
                },
                (_, Some((a, None)), None) if compound(&COMPOUND_VOWELS, a, k).is_some() => {
                    Syllable {
                        vowel: Some((a, Some(k))),
                        ..s
                    }
                }
                _ => {
                    s.push_to(&mut out);
                    Syllable {
                        vowel: Some((k, None)),
                        ..Syllable::default()
                    }
                }
            };
        } else {
            s.push_to(&mut out);
            s = Syllable::default();
            out.push(k);
        }
    }
    if !s.is_empty() {
        s.push_to(&mut out);
    }
    out
}

/// What the citizen typed on the on-screen keyboard: the keystrokes, and the text they make.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedInput {
    keys: Vec<char>,
}

impl TypedInput {
    /// Input holding `text` as it is (a quick-pick word): backspace takes off its last
    /// character.
    pub fn from_text(text: &str) -> TypedInput {
        TypedInput {
            keys: text.chars().collect(),
        }
    }

    /// The text the keystrokes make.
    pub fn text(&self) -> String {
        compose(&self.keys)
    }

    /// Adds what a key typed (a jamo, a letter, a digit), unless the text would then be
    /// longer than `max_chars`. Says whether it was taken.
    pub fn push(&mut self, key: &str, max_chars: usize) -> bool {
        let before = self.keys.len();
        self.keys.extend(key.chars());
        if compose(&self.keys).chars().count() > max_chars {
            self.keys.truncate(before);
            return false;
        }
        true
    }

    /// Takes back the last keystroke.
    pub fn backspace(&mut self) {
        self.keys.pop();
    }

    /// Forgets everything typed.
    pub fn clear(&mut self) {
        self.keys.clear();
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The on-screen search keyboard: what was typed, which layout is shown, whether Shift is
/// down (for one key, as on a phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyboard {
    input: TypedInput,
    hangul: bool,
    shifted: bool,
    max_chars: usize,
}

impl Default for Keyboard {
    fn default() -> Keyboard {
        Keyboard::new(false, 16)
    }
}

impl Keyboard {
    /// An empty keyboard taking up to `max_chars` characters, in the Korean layout or not.
    pub fn new(hangul: bool, max_chars: usize) -> Keyboard {
        Keyboard {
            input: TypedInput::default(),
            hangul,
            shifted: false,
            max_chars,
        }
    }

    /// The text typed so far (the syllable being composed included).
    pub fn text(&self) -> String {
        self.input.text()
    }

    /// Whether the Korean layout is shown.
    pub fn hangul(&self) -> bool {
        self.hangul
    }

    /// Whether Shift is down.
    pub fn shifted(&self) -> bool {
        self.shifted
    }

    /// A key was pressed; Shift goes back up.
    pub fn key(&mut self, key: &str) {
        self.input.push(key, self.max_chars);
        self.shifted = false;
    }

    /// 删除: takes back the last keystroke.
    pub fn backspace(&mut self) {
        self.input.backspace();
    }

    /// 全部清除.
    pub fn clear(&mut self) {
        self.input.clear();
        self.shifted = false;
    }

    /// Replaces what was typed by `text` (a quick-pick word).
    pub fn set_text(&mut self, text: &str) {
        self.input = TypedInput::from_text(text);
        self.shifted = false;
    }

    /// Korean ↔ Latin; what was typed stays.
    pub fn switch_layout(&mut self) {
        self.hangul = !self.hangul;
        self.shifted = false;
    }

    /// Shift down, or up again.
    pub fn shift(&mut self) {
        self.shifted = self.hangul && !self.shifted;
    }
}

/// Whether `c` is a Hangul syllable or a compatibility jamo (what the keyboard types).
pub fn is_hangul(c: char) -> bool {
    (S_BASE..S_BASE + S_COUNT).contains(&(c as u32)) || ('ㄱ'..='ㅣ').contains(&c)
}

/// The initial-sound rule (두음법칙) of the South Korean standard, applied to a word's first
/// syllable: 리 → 이, 로 → 노, 녀 → 여. Korean-Chinese spelling does not apply it (리혼, 로동,
/// 녀성 for 이혼, 노동, 여성); search applies it to both sides so either spelling finds the other.
fn initial_sound_rule(syllable: char) -> char {
    let code = syllable as u32;
    if !(S_BASE..S_BASE + S_COUNT).contains(&code) {
        return syllable;
    }
    let index = code - S_BASE;
    let (l, v, t) = (
        index / (V_COUNT * T_COUNT),
        (index / T_COUNT) % V_COUNT,
        index % T_COUNT,
    );
    let vowel = VOWELS[v as usize];
    // Before ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ, ㄹ and ㄴ fall silent (ㅇ); before other vowels ㄹ is read ㄴ.
    let y_like = matches!(vowel, 'ㅑ' | 'ㅕ' | 'ㅖ' | 'ㅛ' | 'ㅠ' | 'ㅣ');
    let new_initial = match (INITIALS[l as usize], y_like) {
        ('ㄹ' | 'ㄴ', true) => 'ㅇ',
        ('ㄹ', false) => 'ㄴ',
        _ => return syllable,
    };
    let l = initial_index(new_initial).unwrap_or(l);
    char::from_u32(S_BASE + (l * V_COUNT + v) * T_COUNT + t).unwrap_or(syllable)
}

/// The keystrokes that type `text` (Hangul syllables and compound jamo taken apart: 과 →
/// ㄱ ㅗ ㅏ, 값 → ㄱ ㅏ ㅂ ㅅ), lower-cased, letters and digits only, with the initial-sound
/// rule applied to each word — the form search compares, so a syllable still being typed
/// matches as a prefix (이호 → ㅇ ㅣ ㅎ ㅗ, the start of 이혼).
pub fn search_keys(text: &str) -> String {
    let mut out = String::new();
    let mut word_start = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        if !c.is_alphanumeric() {
            word_start = true;
            continue;
        }
        let c = if word_start { initial_sound_rule(c) } else { c };
        word_start = false;
        let code = c as u32;
        if (S_BASE..S_BASE + S_COUNT).contains(&code) {
            let index = code - S_BASE;
            out.push(INITIALS[(index / (V_COUNT * T_COUNT)) as usize]);
            let (a, b) = split(VOWELS[((index / T_COUNT) % V_COUNT) as usize]);
            out.push(a);
            out.extend(b);
            let t = index % T_COUNT;
            if t > 0 {
                let (a, b) = split(FINALS[(t - 1) as usize]);
                out.push(a);
                out.extend(b);
            }
        } else if is_consonant(c) || is_vowel(c) {
            let (a, b) = split(c);
            out.push(a);
            out.extend(b);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
