//! Searches kept serialized for the response cache, in plain JSON and in
//! gzip, so that a repeated search costs a lookup and a copy, compressed
//! or not.
//!
//! Each answer carries its own `took_ms`, so the gzip form cannot be kept
//! whole. It is kept as a deflate stream in three parts: the JSON before
//! the `took_ms` value and the JSON after it, each compressed once, and
//! between them the value, which each answer writes as a stored (literal)
//! block. A deflate stream may be cut into blocks anywhere, and a block
//! compressed on its own never refers back past its start, so the three
//! make one valid stream; the gzip trailer's checksum is combined from the
//! parts' checksums and the value's.

use std::ops::Range;
use std::sync::OnceLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_ENCODING;
use flate2::{Compress, Compression, FlushCompress, Status};

/// A search response as its JSON, with the place of its `took_ms` value,
/// which each answer fills in with its own time.
pub(crate) struct SerializedSearch {
    json: Vec<u8>,
    /// Byte range of the `took_ms` value in `json`.
    took: Range<usize>,
    /// Made at the first answer that may be compressed; `None` if the
    /// compressor failed.
    gzip: OnceLock<Option<GzipParts>>,
}

/// The compressed parts around the `took_ms` value (see the module
/// documentation).
struct GzipParts {
    /// The gzip header, then the JSON before the value, compressed and
    /// flushed to a byte boundary, without a final block.
    head: Vec<u8>,
    /// The JSON after the value, compressed, ending in the final block.
    tail: Vec<u8>,
    /// CRC-32 of the JSON before the value, and of the JSON after it.
    head_crc: crc32fast::Hasher,
    tail_crc: crc32fast::Hasher,
}

/// The gzip header: deflate, no name, no time, unknown system.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

impl SerializedSearch {
    /// `json` is a serialized [`crate::search::SearchResponse`].
    pub(crate) fn new(json: Vec<u8>) -> SerializedSearch {
        // Inside a JSON string every quote is escaped, so the query, which
        // comes first, cannot hold the sequence: the first `"took_ms":` is
        // the key.
        const KEY: &[u8] = b"\"took_ms\":";
        let start = json
            .windows(KEY.len())
            .position(|w| w == KEY)
            .map_or(json.len(), |at| at + KEY.len());
        let end = json[start..]
            .iter()
            .position(|&b| b == b',' || b == b'}')
            .map_or(json.len(), |n| start + n);
        SerializedSearch {
            json,
            took: start..end,
            gzip: OnceLock::new(),
        }
    }

    /// The JSON body with `took_ms` set, or the one it was made with.
    pub(crate) fn body(&self, took_ms: Option<f64>) -> Vec<u8> {
        let value = self.took_value(took_ms);
        let mut out = Vec::with_capacity(self.json.len() + 8);
        out.extend_from_slice(&self.json[..self.took.start]);
        out.extend_from_slice(&value);
        out.extend_from_slice(&self.json[self.took.end..]);
        out
    }

    /// Compresses the parts of the gzip form, if that is not done yet:
    /// the cache does it on a worker, before the entry is shared, so that
    /// an answer from the cache never compresses.
    pub(crate) fn prepare_gzip(&self) {
        self.gzip.get_or_init(|| {
            let (before, after) = (&self.json[..self.took.start], &self.json[self.took.end..]);
            let crc = |data: &[u8]| {
                let mut hasher = crc32fast::Hasher::new();
                hasher.update(data);
                hasher
            };
            Some(GzipParts {
                head: [&GZIP_HEADER[..], &deflate(before, FlushCompress::Sync)?].concat(),
                tail: deflate(after, FlushCompress::Finish)?,
                head_crc: crc(before),
                tail_crc: crc(after),
            })
        });
    }

    /// [`SerializedSearch::body`] as a gzip member; `None` if compressing
    /// failed.
    pub(crate) fn gzip_body(&self, took_ms: Option<f64>) -> Option<Vec<u8>> {
        self.prepare_gzip();
        let parts = self.gzip.get()?.as_ref()?;
        let value = self.took_value(took_ms);
        let mut crc = parts.head_crc.clone();
        let mut value_crc = crc32fast::Hasher::new();
        value_crc.update(&value);
        crc.combine(&value_crc);
        crc.combine(&parts.tail_crc);
        let len = self.json.len() - self.took.len() + value.len();
        let mut out = Vec::with_capacity(parts.head.len() + value.len() + parts.tail.len() + 16);
        out.extend_from_slice(&parts.head);
        // A stored block, not the last: a header byte (the three header
        // bits, then padding to the byte), the length and its complement.
        // A number's JSON is short.
        let n = value.len() as u16;
        out.push(0);
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(&value);
        out.extend_from_slice(&parts.tail);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&(len as u32).to_le_bytes());
        Some(out)
    }

    fn took_value(&self, took_ms: Option<f64>) -> Vec<u8> {
        match took_ms {
            // A number always serializes.
            Some(took_ms) => serde_json::to_vec(&took_ms).unwrap_or_default(),
            None => self.json[self.took.clone()].to_vec(),
        }
    }
}

/// Raw deflate of `data`, ended by `flush`: `Sync` leaves the stream open
/// at a byte boundary, `Finish` closes it with a final block.
fn deflate(data: &[u8], flush: FlushCompress) -> Option<Vec<u8>> {
    let mut compress = Compress::new(Compression::default(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let (read, written) = (compress.total_in(), compress.total_out());
        let room = out.capacity() - out.len();
        let status = compress
            .compress_vec(&data[read as usize..], &mut out, flush)
            .ok()?;
        let all_in = compress.total_in() as usize == data.len();
        let room_left = out.len() < out.capacity();
        match status {
            Status::StreamEnd => return Some(out),
            _ if all_in && room_left && !matches!(flush, FlushCompress::Finish) => {
                return Some(out);
            }
            // With room to write, no progress means it is stuck.
            _ if room > 0 && (read, written) == (compress.total_in(), compress.total_out()) => {
                return None;
            }
            // In memory, compression stops only for want of room.
            _ => out.reserve(out.capacity().max(64)),
        }
    }
}

/// Whether the request's `Accept-Encoding` allows gzip: named (`gzip` or
/// `x-gzip`) with a non-zero quality, or not named and allowed by `*`. An
/// entry whose quality does not parse is ignored; of repeated entries, the
/// lowest quality counts.
pub(crate) fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip: Option<f32> = None;
    let mut any: Option<f32> = None;
    for item in headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let quality = parts
            .filter_map(|p| p.split_once('='))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case("q"))
            .map_or(Some(1.0), |(_, q)| q.trim().parse::<f32>().ok());
        let Some(quality) = quality else {
            continue;
        };
        let seen = if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if name == "*" {
            &mut any
        } else {
            continue;
        };
        *seen = Some(seen.map_or(quality, |q| q.min(quality)));
    }
    gzip.or(any).is_some_and(|q| q > 0.0)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use axum::http::HeaderValue;

    use super::*;
    use crate::search::SearchResponse;

    fn response(query: &str) -> SearchResponse {
        SearchResponse {
            query: query.to_string(),
            total: 3,
            total_exact: true,
            took_ms: 1.25,
            hits: Vec::new(),
            fix: None,
        }
    }

    /// The cached JSON is the response's own, with the time of each answer,
    /// even when the query spells out the key; plain or gunzipped.
    #[test]
    fn serialized_search_sets_its_own_took_ms() {
        let long = "终端未登记 ".repeat(30);
        for query in ["终端未登记", "\"took_ms\":5}", "took_ms", long.as_str()] {
            let response = response(query);
            let serialized = SerializedSearch::new(serde_json::to_vec(&response).unwrap());
            for took_ms in [Some(0.0), Some(0.031), Some(12.5), None] {
                let mut expected = serde_json::to_value(&response).unwrap();
                if let Some(took_ms) = took_ms {
                    expected["took_ms"] = serde_json::json!(took_ms);
                }
                let plain = serialized.body(took_ms);
                let back: serde_json::Value = serde_json::from_slice(&plain).unwrap();
                assert_eq!(back, expected, "{query}");
                let mut gunzipped = Vec::new();
                flate2::read::GzDecoder::new(&serialized.gzip_body(took_ms).unwrap()[..])
                    .read_to_end(&mut gunzipped)
                    .unwrap();
                assert_eq!(gunzipped, plain, "{query}");
            }
        }
    }

    #[test]
    fn gzip_is_accepted_as_the_header_says() {
        for (header, accepted) in [
            ("gzip", true),
            ("gzip, deflate, br", true),
            ("br;q=1.0, gzip;q=0.5", true),
            ("GZIP", true),
            ("gzip;q=0", false),
            ("gzip;Q=0", false),
            ("gzip; q = 0", false),
            ("gzip;q=0.0", false),
            ("gzip;q=oops", false),
            ("gzip;q=oops, *", true),
            ("gzip, gzip;q=0", false),
            ("x-gzip", true),
            ("gzip;q=0, *", false),
            ("*", true),
            ("br", false),
            ("identity", false),
            ("", false),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT_ENCODING, HeaderValue::from_static(header));
            assert_eq!(accepts_gzip(&headers), accepted, "{header}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
