//! Text for the two places where Leptos writes user text into the page as
//! it is: a `<textarea>`'s content (its children are not escaped, as for
//! `<script>`) and the `<title>` that `leptos_meta` assembles. Both are
//! raw text to the HTML parser only up to their closing tag, so a list
//! named `</title><meta http-equiv=refresh …>` would otherwise be read as
//! markup. On the server the text is escaped here; in the browser, where
//! it is set as text, it is left alone.

/// `text`, safe to put where Leptos does not escape.
pub fn escaped(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        html_escape::encode_text(text).into_owned()
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_owned()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn closing_tags_cannot_end_the_element_early() {
        assert_eq!(
            super::escaped("</title><meta http-equiv=refresh> & co"),
            "&lt;/title&gt;&lt;meta http-equiv=refresh&gt; &amp; co"
        );
    }
}
