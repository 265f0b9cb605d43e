//! Stored names of the store's enums: an enum's serde name (its
//! `#[serde(rename_all = "snake_case")]` variant name) is the text in the file,
//! so the name shown, the name stored and the name parsed back are one.

use serde::de::{DeserializeOwned, IntoDeserializer, value};
use serde::ser::{Impossible, Serialize, Serializer};

/// The serde name of a unit variant, e.g. `ChangeKind::Record` → `record`.
pub(crate) fn name_of<T: Serialize>(v: &T) -> &'static str {
    // Only unit variants reach the store; anything else has no name.
    v.serialize(VariantName).unwrap_or("?")
}

/// The unit variant a stored name stands for; `None` for a name no variant has.
pub(crate) fn parse_name<T: DeserializeOwned>(s: &str) -> Option<T> {
    T::deserialize(IntoDeserializer::<value::Error>::into_deserializer(s)).ok()
}

/// A serializer that accepts a unit variant and returns its name.
struct VariantName;

type Refused = Impossible<&'static str, value::Error>;

/// The answer to anything but a unit variant.
fn refuse<T>() -> Result<T, value::Error> {
    Err(serde::ser::Error::custom("not a unit variant"))
}

/// Serializer methods taking one value, all refused.
macro_rules! refuse_values {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<&'static str, value::Error> {
            refuse()
        })*
    };
}

impl Serializer for VariantName {
    type Ok = &'static str;
    type Error = value::Error;
    type SerializeSeq = Refused;
    type SerializeTuple = Refused;
    type SerializeTupleStruct = Refused;
    type SerializeTupleVariant = Refused;
    type SerializeMap = Refused;
    type SerializeStruct = Refused;
    type SerializeStructVariant = Refused;

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<&'static str, value::Error> {
        Ok(variant)
    }

    refuse_values!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Result<&'static str, value::Error> {
        refuse()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<&'static str, value::Error> {
        refuse()
    }
    fn serialize_unit(self) -> Result<&'static str, value::Error> {
        refuse()
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, value::Error> {
        refuse()
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, value::Error> {
        refuse()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Refused, value::Error> {
        refuse()
    }
    fn serialize_tuple(self, _: usize) -> Result<Refused, value::Error> {
        refuse()
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Refused, value::Error> {
        refuse()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, value::Error> {
        refuse()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Refused, value::Error> {
        refuse()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Refused, value::Error> {
        refuse()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, value::Error> {
        refuse()
    }
}
