use typenet::prelude::*;

network! {
    struct Net {
        input: [4, 4, 3],
        up: Conv2dTranspose<8, 3, stride = 2, output_padding = 2>,
        up2: Conv2dTranspose<8, 3, output_padding = [0, 1]>,
        up3: Conv2dTranspose<8, 3, padding = Same>,
    }
}

network! {
    struct Cropped {
        input: [1, 4, 3],
        up: Conv2dTranspose<8, 1, padding = 1>,
    }
}

network! {
    struct Flat {
        input: 16,
        up: Conv2dTranspose<8, 3>,
    }
}

fn main() {}
