//! Messages built at compile time: `const` code cannot format, so the
//! checks that run when a network's code compiles (can it stream? does
//! the macro's table agree with the layers?) assemble their text here.

/// A message built at compile time (`const` code cannot format).
pub(crate) struct ConstText {
    bytes: [u8; 512],
    len: usize,
}

impl ConstText {
    pub(crate) const fn new() -> Self {
        ConstText { bytes: [0; 512], len: 0 }
    }

    pub(crate) const fn push(mut self, text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    pub(crate) const fn push_number(self, mut value: usize) -> Self {
        let mut digits = [0u8; 20];
        let mut count = 0;
        loop {
            digits[count] = b'0' + (value % 10) as u8;
            count += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        let mut out = self;
        while count > 0 {
            count -= 1;
            if out.len < out.bytes.len() {
                out.bytes[out.len] = digits[count];
                out.len += 1;
            }
        }
        out
    }

    pub(crate) const fn as_str(&self) -> &str {
        // Only whole `&str`s and ASCII digits were pushed; a cut in the
        // middle of a character would show as `?`.
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "?",
        }
    }
}
