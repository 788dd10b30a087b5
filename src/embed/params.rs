//! What an embedding page asks for in the iframe's address: `?embed` and its parameters
//! (docs/embedding.md lists them). Read from the address's pairs as the browser decoded them,
//! so the rules are plain and tested natively.

/// The largest height asked for that is taken as given (px); above it, the frame's own.
const HEIGHT_MAX: u32 = 4000;

/// An embedded console's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// Lines run first, in order (`run=`, repeated or with newlines; `@client N` lines run in
    /// the N-th client, as in a share link).
    pub run: Vec<String>,
    /// A built-in scenario and the step it opens after (`scenario=ID&step=N`).
    pub scenario: Option<(String, usize)>,
    /// The language tag (`lang=zh-TW`); none: the browser's.
    pub lang: Option<String>,
    /// The console's height in CSS pixels (`height=320`); none: the frame's.
    pub height: Option<u32>,
    /// No input line (`readonly`): only `run=` and the course page's messages type.
    pub read_only: bool,
    /// The course page's origin (`origin=https://course.example`), whose messages are heard
    /// and to which replies go; `*` hears any and posts to any. None: the playground's own.
    pub origin: Option<String>,
}

impl Params {
    /// The parameters of an address whose pairs are `pairs`, if it asks for the embed mode.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Option<Params> {
        let mut embed = false;
        let mut params = Params::default();
        let mut step = 0;
        for (name, value) in pairs {
            match name.as_str() {
                "embed" => embed = true,
                "run" => params.run.extend(
                    value
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(String::from),
                ),
                "scenario" if !value.is_empty() => params.scenario = Some((value, 0)),
                "step" => step = value.parse().unwrap_or(0),
                "lang" if !value.is_empty() => params.lang = Some(value),
                "height" => {
                    params.height = value.parse().ok().filter(|h| (1..=HEIGHT_MAX).contains(h))
                }
                // `readonly` alone, or with any value but an explicit no.
                "readonly" => params.read_only = !matches!(value.as_str(), "0" | "false" | "no"),
                "origin" if !value.is_empty() => params.origin = Some(value),
                _ => {}
            }
        }
        if let Some((_, at)) = params.scenario.as_mut() {
            *at = step;
        }
        embed.then_some(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Option<Params> {
        Params::from_pairs(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())))
    }

    #[test]
    fn only_an_address_with_embed_is_embedded() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[("run", "PING")]), None);
        assert_eq!(parse(&[("embed", "")]), Some(Params::default()));
    }

    #[test]
    fn lines_to_run_come_from_every_run_in_order() {
        let params = parse(&[
            ("embed", ""),
            ("run", "SET a 1\nGET a\n\n"),
            ("run", "@client 2\nPING"),
        ])
        .unwrap();
        assert_eq!(params.run, ["SET a 1", "GET a", "@client 2", "PING"]);
    }

    #[test]
    fn a_scenario_opens_at_its_step_in_either_order() {
        let at = |pairs: &[(&str, &str)]| parse(pairs).unwrap().scenario;
        assert_eq!(
            at(&[("embed", ""), ("step", "3"), ("scenario", "cache-aside")]),
            Some(("cache-aside".to_string(), 3))
        );
        assert_eq!(
            at(&[("embed", ""), ("scenario", "cache-aside")]),
            Some(("cache-aside".to_string(), 0))
        );
        assert_eq!(
            at(&[("embed", ""), ("scenario", "x"), ("step", "two")]),
            Some(("x".to_string(), 0))
        );
        assert_eq!(at(&[("embed", ""), ("step", "3")]), None);
    }

    #[test]
    fn height_language_read_only_and_origin() {
        let params = parse(&[
            ("embed", ""),
            ("height", "320"),
            ("lang", "zh-TW"),
            ("readonly", ""),
            ("origin", "https://course.example"),
        ])
        .unwrap();
        assert_eq!(params.height, Some(320));
        assert_eq!(params.lang.as_deref(), Some("zh-TW"));
        assert!(params.read_only);
        assert_eq!(params.origin.as_deref(), Some("https://course.example"));
        for bad in ["0", "-5", "tall", "99999"] {
            assert_eq!(
                parse(&[("embed", ""), ("height", bad)]).unwrap().height,
                None
            );
        }
        assert!(
            !parse(&[("embed", ""), ("readonly", "false")])
                .unwrap()
                .read_only
        );
    }
}
