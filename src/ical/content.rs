//! RFC 5545's content lines: `NAME;PARAM=VALUE:value`, with TEXT values
//! escaped (§3.3.11) and every line folded at 75 octets (§3.1), ended by
//! CRLF. Everything a feed writes goes through here, so no user's title or
//! note can end a line, start a property, or split a character in two.

/// The longest a line may be, in octets, without its CRLF.
pub const MAX_LINE_OCTETS: usize = 75;

/// A calendar file being written.
#[derive(Debug, Default)]
pub struct Lines {
    out: String,
}

impl Lines {
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            out: String::with_capacity(bytes),
        }
    }

    /// A property whose value is already in its type's form (a date, a
    /// number, a rule, a fixed word): written as it is, folded.
    pub fn raw(&mut self, name: &str, value: &str) {
        let start = self.out.len();
        self.out.push_str(name);
        self.out.push(':');
        self.out.push_str(value);
        fold_from(&mut self.out, start);
        self.out.push_str("\r\n");
    }

    /// A property whose value is TEXT: escaped, then folded.
    pub fn text(&mut self, name: &str, text: &str) {
        self.raw(name, &escape_text(text));
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// TEXT as RFC 5545 writes it: backslash, semicolon and comma escaped, a
/// line break as `\n`. Other control characters have no place in TEXT
/// and are dropped (a title or note cannot hold them, but an old row
/// might).
pub fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                escaped.push_str("\\n");
            }
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push('\t'),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Folds the line that starts at `start` in `out` (no CRLF yet): a CRLF
/// and a space before every 75th octet, never inside a character.
fn fold_from(out: &mut String, start: usize) {
    if out.len() - start <= MAX_LINE_OCTETS {
        return;
    }
    let line = out.split_off(start);
    let mut room = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > room {
            out.push_str("\r\n ");
            // The space that starts a continuation counts toward its 75.
            room = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += width;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What a reader does: joins folded lines, then reads TEXT escapes.
    fn unfold(file: &str) -> Vec<String> {
        file.replace("\r\n ", "")
            .split("\r\n")
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn unescape(text: &str) -> String {
        let mut plain = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => plain.push('\n'),
                    Some(other) => plain.push(other),
                    None => plain.push('\\'),
                }
            } else {
                plain.push(c);
            }
        }
        plain
    }

    #[test]
    fn text_is_escaped_as_the_rfc_shows() {
        assert_eq!(
            escape_text("a\\b;c,d\r\ne\nf\rg\u{7}h"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ngh"
        );
    }

    #[test]
    fn a_long_line_of_wide_characters_is_folded_between_characters() {
        let mut lines = Lines::default();
        lines.text("SUMMARY", &"😀".repeat(40));
        let file = lines.finish();
        for line in file.split("\r\n") {
            assert!(line.len() <= MAX_LINE_OCTETS, "{line:?}");
        }
        assert_eq!(unfold(&file), vec![format!("SUMMARY:{}", "😀".repeat(40))]);
    }

    proptest! {
        #[test]
        fn any_text_reads_back_from_a_folded_escaped_line(text in "(\\PC|[\r\n\t;,\\\\]){0,400}") {
            let mut lines = Lines::default();
            lines.text("DESCRIPTION", &text);
            lines.raw("UID", "x");
            let file = lines.finish();
            for line in file.split("\r\n") {
                prop_assert!(line.len() <= MAX_LINE_OCTETS, "{:?} is {} octets", line, line.len());
                prop_assert!(!line.contains('\r') && !line.contains('\n'));
            }
            let read = unfold(&file);
            prop_assert_eq!(read.len(), 2, "the text made lines of its own: {:?}", read);
            let value = read[0].strip_prefix("DESCRIPTION:").unwrap();
            let expected = text.replace("\r\n", "\n").replace('\r', "\n");
            prop_assert_eq!(unescape(value), expected);
            prop_assert_eq!(&read[1], "UID:x");
        }

        #[test]
        fn escaped_text_has_no_bare_separator(text in "\\PC{0,200}") {
            let escaped = escape_text(&text);
            let mut chars = escaped.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    prop_assert!(matches!(chars.next(), Some('\\' | ';' | ',' | 'n')));
                } else {
                    prop_assert!(c != ';' && c != ',' && !c.is_control() || c == '\t');
                }
            }
        }
    }
}
