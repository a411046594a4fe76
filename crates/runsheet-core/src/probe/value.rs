//! Value types of probe fields written as strings in TOML: durations (`"15m"`), byte sizes (`"10GB"`) and
//! the JSON pointer comparisons of http probes. Parsing and display only; evaluation against a live response is
//! limited to [`JsonCheck::evaluate`] on an already parsed document.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written as `"500ms"`, `"5s"`, `"15m"`, `"1h"`, `"2d"` or a sum such as `"1h30m"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DurationSpec(pub Duration);

impl FromStr for DurationSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected a duration such as \"5s\", \"500ms\", \"15m\" or \"1h\", found \"{s}\"");
        let t = s.trim();
        if t.is_empty() {
            return Err(bad());
        }
        let mut total = Duration::ZERO;
        let mut rest = t;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(bad());
            }
            let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            let unit = rest[..unit_len].trim();
            rest = &rest[unit_len..];
            let ms: u64 = match unit {
                "ms" => 1,
                "s" | "sec" | "secs" => 1000,
                "m" | "min" | "mins" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => return Err(bad()),
            };
            let add = n.checked_mul(ms).ok_or_else(bad)?;
            total = total.checked_add(Duration::from_millis(add)).ok_or_else(bad)?;
        }
        Ok(DurationSpec(total))
    }
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        let (n, unit) = if ms % 86_400_000 == 0 && ms > 0 {
            (ms / 86_400_000, "d")
        } else if ms % 3_600_000 == 0 && ms > 0 {
            (ms / 3_600_000, "h")
        } else if ms % 60_000 == 0 && ms > 0 {
            (ms / 60_000, "m")
        } else if ms % 1000 == 0 {
            (ms / 1000, "s")
        } else {
            (ms, "ms")
        };
        write!(f, "{n}{unit}")
    }
}

impl Serialize for DurationSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A byte count written as `"10GB"`, `"512MB"`, `"1.5GiB"` (SI units are powers of 1000, `…iB` of 1024).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(pub u64);

impl FromStr for ByteSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected a size such as \"10GB\", \"500MB\" or \"2GiB\", found \"{s}\"");
        let t = s.trim();
        let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: f64 = num.parse().map_err(|_| bad())?;
        let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "k" | "kb" => 1e3,
            "m" | "mb" => 1e6,
            "g" | "gb" => 1e9,
            "t" | "tb" => 1e12,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
            _ => return Err(bad()),
        };
        let v = n * mult;
        if !v.is_finite() || v < 0.0 || v > u64::MAX as f64 {
            return Err(bad());
        }
        Ok(ByteSize(v.round() as u64))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (div, unit) in [(1_000_000_000_000u64, "TB"), (1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB")] {
            if n >= div && n % div == 0 {
                return write!(f, "{}{unit}", n / div);
            }
        }
        write!(f, "{n}B")
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON pointer comparisons for http probes.

/// `"/status == \"ok\""`, `"/error_rate < 0.01"`, `"/ready"` (exists and is not false/null).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonCheck {
    pub pointer: String,
    /// None: the value must exist and be truthy.
    pub comparison: Option<(CompareOp, serde_json::Value)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

impl FromStr for JsonCheck {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if !t.starts_with('/') {
            return Err(format!("expected a JSON pointer starting with `/`, e.g. \"/status == \\\"ok\\\"\", found \"{t}\""));
        }
        // The pointer ends at the first whitespace or operator character.
        let end = t.find(|c: char| c.is_whitespace() || "=!<>".contains(c)).unwrap_or(t.len());
        let pointer = t[..end].to_string();
        let rest = t[end..].trim_start();
        if rest.is_empty() {
            return Ok(JsonCheck { pointer, comparison: None });
        }
        let ops = [("==", CompareOp::Eq), ("!=", CompareOp::Ne), ("<=", CompareOp::Le), (">=", CompareOp::Ge), ("<", CompareOp::Lt), (">", CompareOp::Gt)];
        let (op, after) = ops
            .iter()
            .find_map(|(sym, op)| rest.strip_prefix(sym).map(|a| (*op, a)))
            .ok_or_else(|| format!("expected a comparison (==, !=, <, <=, >, >=) after `{pointer}`, found \"{rest}\""))?;
        let literal = after.trim();
        let value: serde_json::Value = serde_json::from_str(literal)
            .map_err(|_| format!("expected a JSON value after `{}` (a number, \"string\", true, false or null), found `{literal}`", op.as_str()))?;
        if matches!(op, CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge) && !value.is_number() {
            return Err(format!("`{}` compares numbers, found `{literal}`", op.as_str()));
        }
        Ok(JsonCheck { pointer, comparison: Some((op, value)) })
    }
}

impl fmt::Display for JsonCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.comparison {
            None => write!(f, "{}", self.pointer),
            Some((op, v)) => write!(f, "{} {} {}", self.pointer, op.as_str(), v),
        }
    }
}

impl Serialize for JsonCheck {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for JsonCheck {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonCheck {
    /// Check a parsed JSON document; the error explains what was found.
    pub fn evaluate(&self, doc: &serde_json::Value) -> Result<(), String> {
        let Some(found) = doc.pointer(&self.pointer) else {
            return Err(format!("{} not found in the JSON body", self.pointer));
        };
        let Some((op, want)) = &self.comparison else {
            return if found.is_null() || found == &serde_json::Value::Bool(false) {
                Err(format!("{} is {found}", self.pointer))
            } else {
                Ok(())
            };
        };
        let ok = match op {
            CompareOp::Eq | CompareOp::Ne => {
                let equal = match (found.as_f64(), want.as_f64()) {
                    (Some(a), Some(b)) => a == b,
                    _ => found == want,
                };
                equal == (*op == CompareOp::Eq)
            }
            _ => {
                let (Some(a), Some(b)) = (found.as_f64(), want.as_f64()) else {
                    return Err(format!("{} is {found}, not a number", self.pointer));
                };
                match op {
                    CompareOp::Lt => a < b,
                    CompareOp::Le => a <= b,
                    CompareOp::Gt => a > b,
                    _ => a >= b,
                }
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{} is {found}, expected {} {want}", self.pointer, op.as_str()))
        }
    }
}
