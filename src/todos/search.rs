//! Search text, as each database's full-text index reads it: the words of
//! what was typed, each matched as a word or the start of one ("mil" finds
//! "milk"), all of them required. Only words reach the query languages
//! (letters and digits of any script), so nothing typed can be read as an
//! operator by FTS5 or `to_tsquery`.

use uuid::Uuid;

use super::MAX_SEARCH_CHARS;
use crate::error::AppError;

const MAX_WORDS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms {
    text: String,
    words: Vec<String>,
}

impl SearchTerms {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let text = text.trim();
        let refuse = |message: String| Err(AppError::Invalid(message).in_field("q"));
        let chars = text.chars().count();
        if chars > MAX_SEARCH_CHARS {
            return refuse(format!(
                "Search for at most {MAX_SEARCH_CHARS} characters (this has {chars})."
            ));
        }
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return refuse("Type a word or a number to search for.".into());
        }
        if words.len() > MAX_WORDS {
            return refuse(format!("Search for at most {MAX_WORDS} words at once."));
        }
        Ok(Self {
            text: text.to_owned(),
            words,
        })
    }

    /// What was typed, trimmed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// An FTS5 query for the owner's todos whose title or notes hold every
    /// word. The owner is part of the indexed text (column `owner`), so the
    /// index itself narrows to one user's todos.
    pub fn fts5(&self, owner: Uuid) -> String {
        let mut query = format!("owner : \"{}\"", owner.simple());
        for word in &self.words {
            query.push_str(&format!(" AND {{title notes}} : \"{word}\"*"));
        }
        query
    }

    /// A `to_tsquery('simple', …)` text for the same words, and for the
    /// owner's lexeme (`u` and the id in hex), which the indexed `search`
    /// column carries too (migrations/postgres), so the GIN index itself
    /// narrows to one user's todos.
    pub fn tsquery(&self, owner: Uuid) -> String {
        let mut query = format!("'u{}'", owner.simple());
        for word in &self.words {
            query.push_str(&format!(" & '{word}':*"));
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_words_reach_the_query_languages() {
        let terms = SearchTerms::parse(r#"  Buy "oat" milk* OR -NEAR(x) 'tea' "#).unwrap();
        assert_eq!(terms.text(), r#"Buy "oat" milk* OR -NEAR(x) 'tea'"#);
        let owner = Uuid::from_u128(1);
        assert_eq!(
            terms.fts5(owner),
            "owner : \"00000000000000000000000000000001\" AND {title notes} : \"buy\"* \
             AND {title notes} : \"oat\"* AND {title notes} : \"milk\"* AND {title notes} : \"or\"* \
             AND {title notes} : \"near\"* AND {title notes} : \"x\"* AND {title notes} : \"tea\"*"
        );
        assert_eq!(
            terms.tsquery(owner),
            "'u00000000000000000000000000000001' & 'buy':* & 'oat':* & 'milk':* & 'or':* \
             & 'near':* & 'x':* & 'tea':*"
        );
        let cjk = SearchTerms::parse("写信 Ünïcode").unwrap();
        assert_eq!(
            cjk.tsquery(owner),
            "'u00000000000000000000000000000001' & '写信':* & 'ünïcode':*"
        );
    }

    #[test]
    fn searches_without_words_or_too_long_are_explained() {
        for bad in ["!!!", "   ", "\"\""] {
            assert_eq!(
                SearchTerms::parse(bad).unwrap_err().field(),
                Some("q"),
                "{bad}"
            );
        }
        assert!(SearchTerms::parse(&"a".repeat(201)).is_err());
        assert!(SearchTerms::parse(&"a ".repeat(17)).is_err());
    }
}
