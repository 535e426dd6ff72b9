//! Deterministic inputs for compression tests and benchmarks: chat-like
//! JSON and English-like prose (ASCII), and a small random generator. The
//! compressor's unit tests and the deflate benchmarks use the same bytes,
//! so their ratios agree.

/// A small deterministic generator (xorshift64*).
pub struct Rng(
    /// The state (any value but 0).
    pub u64,
);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() >> 33) as usize % n
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() >> 40) as u8).collect()
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

/// English-like prose: sentences of skewed words with punctuation.
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

/// A chat log as JSON: `[{"user":"alice","ts":1700000000,"text":"..."},...]`.
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
