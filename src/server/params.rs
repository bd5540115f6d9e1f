//! Query-string parameters, parsed strictly: invalid percent-encoding or
//! UTF-8, a known parameter given twice, or a value out of range (an empty
//! one too, as in `limit=`) is a 400 naming the parameter. Unknown
//! parameters are ignored.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use percent_encoding::percent_decode_str;

use super::error::ApiError;
use crate::corpus::Category;

/// Decoded parameters, each known one at most once.
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Parses a raw query string, accepting only the `known` names once.
    pub fn parse(query: Option<&str>, known: &[&str]) -> Result<Params, ApiError> {
        let mut values = HashMap::new();
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name)?;
            if !known.contains(&name.as_str()) {
                continue;
            }
            let value = decode(value)?;
            if values.insert(name.clone(), value).is_some() {
                return Err(ApiError::bad_request(format!(
                    "parameter `{name}` is given more than once"
                )));
            }
        }
        Ok(Params { values })
    }

    /// A parameter's value, if given and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// A parameter's value as given, blank or not.
    pub fn given(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The query `q`, which must be given.
    pub fn query(&self) -> Result<String, ApiError> {
        match self.values.get("q") {
            Some(q) if !q.trim().is_empty() => Ok(q.clone()),
            _ => Err(ApiError::bad_request(
                "parameter `q` is required and must not be empty",
            )),
        }
    }

    /// A whole number in `range`, or `default` when absent. Given empty
    /// (`limit=`), it is not a number.
    pub fn number(
        &self,
        name: &str,
        default: usize,
        range: RangeInclusive<usize>,
    ) -> Result<usize, ApiError> {
        let Some(raw) = self.values.get(name) else {
            return Ok(default);
        };
        let out_of_range = || {
            ApiError::bad_request(format!(
                "`{name}` must be a whole number from {} to {}",
                range.start(),
                range.end()
            ))
        };
        let value: usize = raw.trim().parse().map_err(|_| out_of_range())?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(out_of_range())
        }
    }

    /// The `category` filter, if given. Given empty (`category=`), it names
    /// no category: a 400, as for an unknown one.
    pub fn category(&self) -> Result<Option<Category>, ApiError> {
        self.values
            .get("category")
            .map(|c| c.parse().map_err(ApiError::bad_request))
            .transpose()
    }
}

fn decode(raw: &str) -> Result<String, ApiError> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiError::bad_request("the query string is not valid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_checks() {
        let p = Params::parse(
            Some("q=%E5%88%B7%E5%8D%A1+a&limit=5&x=1&x=2"),
            &["q", "limit"],
        )
        .unwrap();
        assert_eq!(p.query().unwrap(), "刷卡 a");
        assert_eq!(p.number("limit", 10, 1..=50).unwrap(), 5);
        assert_eq!(p.number("offset", 0, 0..=10).unwrap(), 0);
        let refused = |query: &str| match Params::parse(Some(query), &["q"]) {
            Ok(_) => panic!("{query} was accepted"),
            Err(e) => e.message,
        };
        assert!(refused("q=a&q=b").contains("`q`"), "{}", refused("q=a&q=b"));
        assert!(refused("q=%ED%A0%80").contains("UTF-8"));
        assert!(refused("q=%FF").contains("UTF-8"));
        for limit in ["-1", "99999999999999999999999"] {
            let p = Params::parse(Some(&format!("limit={limit}")), &["limit"]).unwrap();
            let error = p.number("limit", 10, 1..=50).unwrap_err();
            assert!(
                error.message.contains("`limit`"),
                "{limit}: {}",
                error.message
            );
        }
        // Given empty is not absent.
        let p = Params::parse(
            Some("limit=&offset&category=&brand="),
            &["limit", "offset", "category", "brand"],
        )
        .unwrap();
        let error = p.number("limit", 10, 1..=50).unwrap_err();
        assert!(error.message.contains("`limit`"), "{}", error.message);
        let error = p.number("offset", 0, 0..=10).unwrap_err();
        assert!(error.message.contains("`offset`"), "{}", error.message);
        let error = p.category().unwrap_err();
        assert!(
            error.message.contains("unknown category"),
            "{}",
            error.message
        );
        assert_eq!(p.get("brand"), None);
    }
}
