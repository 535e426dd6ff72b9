//! The Z1/Z2 inputs (see `benches/README.md`): chat-like JSON and
//! English-like prose, generated deterministically. The generators are
//! copies of the compressor's unit-test ones (`src/deflate/compress/tests/
//! support.rs`), so the ratios here and in its `TABLE_LEN` table are over
//! the same bytes.

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() >> 33) as usize % n
    }
}

const WORDS: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on",
    "are", "with", "as", "I", "his", "they", "be", "at", "one", "have", "this", "from", "or",
    "had", "by", "not", "word", "but", "what", "some", "we", "can", "out", "other", "were", "all",
    "there", "when", "up", "use", "your", "how", "said", "an", "each", "she", "which", "do",
    "their", "time", "if", "will", "way", "about", "many", "then", "them", "write", "would",
    "like", "so", "these", "her", "long", "make", "thing", "see", "him", "two", "has", "look",
    "more", "day", "could", "go", "come", "did", "number", "sound", "no", "most", "people", "my",
    "over", "know", "water", "than", "call", "first", "who", "may", "down", "side", "been", "now",
    "find", "any", "new", "work", "part", "take", "get", "place", "made", "live", "where", "after",
    "back", "little", "only", "round", "man", "year", "came", "show", "every", "good", "me",
    "give", "our", "under", "name", "very", "through", "just", "form", "sentence", "great",
    "think", "say", "help", "low", "line", "differ", "turn", "cause", "much", "mean", "before",
    "move", "right", "boy", "old", "too", "same", "tell", "does", "set", "three", "want", "air",
    "well", "also", "play", "small", "end", "put", "home", "read", "hand", "port", "large",
    "spell", "add", "even", "land", "here", "must", "big", "high", "such", "follow", "act", "why",
    "ask", "men", "change", "went", "light", "kind", "off", "need", "house", "picture", "try",
    "us", "again", "animal", "point", "mother", "world", "near", "build", "self", "earth",
    "father", "head", "stand", "own", "page", "should", "country", "found", "answer", "school",
    "grow", "study", "still", "learn", "plant", "cover", "food", "sun", "four", "between", "state",
    "keep", "eye", "never", "last", "let", "thought", "city", "tree", "cross", "farm", "hard",
    "start", "might", "story", "saw", "far", "sea", "draw", "left", "late", "run", "while",
    "press", "close", "night", "real", "life", "few", "north",
];

/// Words with a skewed (roughly Zipf) frequency, as text has.
fn word(rng: &mut Rng) -> &'static str {
    let r = rng.below(WORDS.len());
    let i = r * rng.below(WORDS.len()) / WORDS.len();
    WORDS[i]
}

/// English-like prose of exactly `len` bytes: sentences of skewed words
/// with punctuation (ASCII).
pub fn prose(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut s = String::new();
    while s.len() < len {
        let n = 4 + rng.below(14);
        for i in 0..n {
            let w = word(&mut rng);
            if i == 0 {
                let mut c = w.chars();
                let first = c.next().unwrap().to_ascii_uppercase();
                s.push(first);
                s.push_str(c.as_str());
            } else {
                s.push_str(w);
            }
            if i + 1 < n {
                s.push_str(if rng.below(9) == 0 { ", " } else { " " });
            }
        }
        s.push_str(if rng.below(6) == 0 { "? " } else { ". " });
        if rng.below(7) == 0 {
            s.push_str("\n\n");
        }
    }
    s.truncate(len);
    s.into_bytes()
}

/// A chat log as JSON of at least `len` bytes (a little more: the last
/// record and the `]`): `[{"user":"alice","ts":1700000000,"text":"..."},...]`.
pub fn chat_json(seed: u64, len: usize) -> Vec<u8> {
    const USERS: &[&str] = &[
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    ];
    let mut rng = Rng(seed | 1);
    let mut s = String::from("[");
    let mut ts = 1_700_000_000u64;
    while s.len() < len {
        ts += rng.below(90) as u64;
        let mut text = String::new();
        for i in 0..1 + rng.below(12) {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(word(&mut rng));
        }
        if s.len() > 1 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"user\":\"{}\",\"ts\":{ts},\"text\":\"{text}\"}}",
            USERS[rng.below(USERS.len())]
        ));
    }
    s.push(']');
    s.into_bytes()
}

/// Exactly `len` bytes of valid JSON: the records of [`chat_json`] that
/// fit, then spaces and the closing `]`.
pub fn chat_json_exact(seed: u64, len: usize) -> String {
    let full = chat_json(seed, len);
    // The end of the last record that leaves room for the `]`.
    let end = full[..len - 1]
        .iter()
        .rposition(|&b| b == b'}')
        .expect("a record fits")
        + 1;
    let mut s = String::from_utf8(full[..end].to_vec()).expect("ASCII");
    while s.len() < len - 1 {
        s.push(' ');
    }
    s.push(']');
    assert_eq!(s.len(), len);
    s
}
