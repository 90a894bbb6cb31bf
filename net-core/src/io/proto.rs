//! The few protocol buffer messages of ONNX's `onnx.proto` that an
//! exported network needs, encoded by hand: a model is written once and
//! never read back, so a field writer of a hundred lines serves where a
//! code generator and its build step would not pay for themselves.

/// One message being encoded: fields appended in any order.
#[derive(Default)]
pub(crate) struct Message {
    bytes: Vec<u8>,
}

/// Protocol buffers' wire types.
const VARINT: u64 = 0;
const LENGTH_DELIMITED: u64 = 2;
const FIXED32: u64 = 5;

impl Message {
    pub(crate) fn new() -> Self {
        Message::default()
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    fn key(&mut self, field: u32, wire: u64) {
        self.varint(((field as u64) << 3) | wire);
    }

    /// An `int32`/`int64`/enum field (negative values as ten bytes, as the
    /// format requires).
    pub(crate) fn int(&mut self, field: u32, value: i64) -> &mut Self {
        self.key(field, VARINT);
        self.varint(value as u64);
        self
    }

    /// A `float` field.
    pub(crate) fn float(&mut self, field: u32, value: f32) -> &mut Self {
        self.key(field, FIXED32);
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// A `bytes` field.
    pub(crate) fn bytes(&mut self, field: u32, value: &[u8]) -> &mut Self {
        self.key(field, LENGTH_DELIMITED);
        self.varint(value.len() as u64);
        self.bytes.extend_from_slice(value);
        self
    }

    /// A `string` field.
    pub(crate) fn string(&mut self, field: u32, value: &str) -> &mut Self {
        self.bytes(field, value.as_bytes())
    }

    /// An embedded message field.
    pub(crate) fn message(&mut self, field: u32, value: Message) -> &mut Self {
        self.bytes(field, &value.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_encode_as_the_format_specifies() {
        let mut m = Message::new();
        m.int(1, 150);
        assert_eq!(m.bytes, [0x08, 0x96, 0x01]);
        let mut m = Message::new();
        m.string(2, "testing");
        assert_eq!(m.bytes, [0x12, 0x07, b't', b'e', b's', b't', b'i', b'n', b'g']);
        let mut m = Message::new();
        m.int(3, -1);
        assert_eq!(m.bytes.len(), 11);
        let mut m = Message::new();
        m.float(2, 1.0);
        assert_eq!(m.bytes, [0x15, 0, 0, 0x80, 0x3f]);
    }
}
