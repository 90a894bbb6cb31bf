//! torchvision's InceptionV3 (`inception_v3(aux_logits=False)`) and
//! ResNet-18 declared with their module names, so their `state_dict`s load
//! as they are: shared by the tests and examples that use them.

use typenet::prelude::*;

network! {
    /// torchvision's BasicConv2d: a convolution without bias, BatchNorm (eps 1e-3), ReLU.
    block BasicConv2d(F, K, stride = 1, padding = 0) {
        conv: Conv2d<F, K, stride = stride, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        relu: Relu,
    }

    /// torchvision's InceptionA.
    block InceptionA(POOL) {
        cat: Concat(
            [branch1x1: BasicConv2d(64, 1)],
            [branch5x5_1: BasicConv2d(48, 1), branch5x5_2: BasicConv2d(64, 5, padding = 2)],
            [branch3x3dbl_1: BasicConv2d(64, 1), branch3x3dbl_2: BasicConv2d(96, 3, padding = 1),
             branch3x3dbl_3: BasicConv2d(96, 3, padding = 1)],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, branch_pool: BasicConv2d(POOL, 1)],
        ),
    }

    /// torchvision's InceptionB (a grid reduction).
    block InceptionB {
        cat: Concat(
            [branch3x3: BasicConv2d(384, 3, stride = 2)],
            [branch3x3dbl_1: BasicConv2d(64, 1), branch3x3dbl_2: BasicConv2d(96, 3, padding = 1),
             branch3x3dbl_3: BasicConv2d(96, 3, stride = 2)],
            [pool: MaxPool2d<3, stride = 2>],
        ),
    }

    /// torchvision's InceptionC: factorised 7x7 convolutions.
    block InceptionC(C7) {
        cat: Concat(
            [branch1x1: BasicConv2d(192, 1)],
            [branch7x7_1: BasicConv2d(C7, 1), branch7x7_2: BasicConv2d(C7, [1, 7], padding = [0, 3]),
             branch7x7_3: BasicConv2d(192, [7, 1], padding = [3, 0])],
            [branch7x7dbl_1: BasicConv2d(C7, 1), branch7x7dbl_2: BasicConv2d(C7, [7, 1], padding = [3, 0]),
             branch7x7dbl_3: BasicConv2d(C7, [1, 7], padding = [0, 3]),
             branch7x7dbl_4: BasicConv2d(C7, [7, 1], padding = [3, 0]),
             branch7x7dbl_5: BasicConv2d(192, [1, 7], padding = [0, 3])],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, branch_pool: BasicConv2d(192, 1)],
        ),
    }

    /// torchvision's InceptionD (a grid reduction).
    block InceptionD {
        cat: Concat(
            [branch3x3_1: BasicConv2d(192, 1), branch3x3_2: BasicConv2d(320, 3, stride = 2)],
            [branch7x7x3_1: BasicConv2d(192, 1), branch7x7x3_2: BasicConv2d(192, [1, 7], padding = [0, 3]),
             branch7x7x3_3: BasicConv2d(192, [7, 1], padding = [3, 0]),
             branch7x7x3_4: BasicConv2d(192, 3, stride = 2)],
            [pool: MaxPool2d<3, stride = 2>],
        ),
    }

    /// torchvision's InceptionE: branches that split again and concatenate inside.
    block InceptionE {
        cat: Concat(
            [branch1x1: BasicConv2d(320, 1)],
            [branch3x3_1: BasicConv2d(384, 1),
             split: Concat([branch3x3_2a: BasicConv2d(384, [1, 3], padding = [0, 1])],
                           [branch3x3_2b: BasicConv2d(384, [3, 1], padding = [1, 0])])],
            [branch3x3dbl_1: BasicConv2d(448, 1), branch3x3dbl_2: BasicConv2d(384, 3, padding = 1),
             split_dbl: Concat([branch3x3dbl_3a: BasicConv2d(384, [1, 3], padding = [0, 1])],
                               [branch3x3dbl_3b: BasicConv2d(384, [3, 1], padding = [1, 0])])],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, branch_pool: BasicConv2d(192, 1)],
        ),
    }

    /// torchvision's `inception_v3(weights=None, aux_logits=False)`.
    pub struct InceptionV3 {
        input: [299, 299, 3],
        Conv2d_1a_3x3: BasicConv2d(32, 3, stride = 2),
        Conv2d_2a_3x3: BasicConv2d(32, 3),
        Conv2d_2b_3x3: BasicConv2d(64, 3, padding = 1),
        maxpool1: MaxPool2d<3, stride = 2>,
        Conv2d_3b_1x1: BasicConv2d(80, 1),
        Conv2d_4a_3x3: BasicConv2d(192, 3),
        maxpool2: MaxPool2d<3, stride = 2>,
        Mixed_5b: InceptionA(32),
        Mixed_5c: InceptionA(64),
        Mixed_5d: InceptionA(64),
        Mixed_6a: InceptionB,
        Mixed_6b: InceptionC(128),
        Mixed_6c: InceptionC(160),
        Mixed_6d: InceptionC(160),
        Mixed_6e: InceptionC(192),
        Mixed_7a: InceptionD,
        Mixed_7b: InceptionE,
        Mixed_7c: InceptionE,
        avgpool: GlobalAvgPool,
        dropout: Dropout(0.5),
        fc: Dense<1000>,
    }

    /// InceptionV3 cut after `Mixed_6e` (Keras' `mixed7`), on 150x150
    /// images: `[150, 150, 3]` -> `[7, 7, 768]`, the backbone of the
    /// question typenet was born from.
    pub struct InceptionMixed7 {
        input: [150, 150, 3],
        Conv2d_1a_3x3: BasicConv2d(32, 3, stride = 2),
        Conv2d_2a_3x3: BasicConv2d(32, 3),
        Conv2d_2b_3x3: BasicConv2d(64, 3, padding = 1),
        maxpool1: MaxPool2d<3, stride = 2>,
        Conv2d_3b_1x1: BasicConv2d(80, 1),
        Conv2d_4a_3x3: BasicConv2d(192, 3),
        maxpool2: MaxPool2d<3, stride = 2>,
        Mixed_5b: InceptionA(32),
        Mixed_5c: InceptionA(64),
        Mixed_5d: InceptionA(64),
        Mixed_6a: InceptionB,
        Mixed_6b: InceptionC(128),
        Mixed_6c: InceptionC(160),
        Mixed_6d: InceptionC(160),
        Mixed_6e: InceptionC(192),
    }
}

network! {
    /// torchvision's BasicBlock with an identity shortcut.
    block BasicBlock(F) {
        sum: Add(
            [conv1: Conv2d<F, 3, padding = 1, bias = false>, bn1: BatchNorm(eps = 1e-5, momentum = 0.9),
             relu1: Relu, conv2: Conv2d<F, 3, padding = 1, bias = false>,
             bn2: BatchNorm(eps = 1e-5, momentum = 0.9)],
            [],
        ),
        relu: Relu,
    }

    /// torchvision's `downsample` of a stage's first block: `nn.Sequential(conv1x1, BatchNorm2d)`.
    block Downsample(F) {
        #[rename = "0"] conv: Conv2d<F, 1, stride = 2, bias = false>,
        #[rename = "1"] bn: BatchNorm(eps = 1e-5, momentum = 0.9),
    }

    /// A BasicBlock that halves the map and changes the width.
    block DownBlock(F) {
        sum: Add(
            [conv1: Conv2d<F, 3, stride = 2, padding = 1, bias = false>,
             bn1: BatchNorm(eps = 1e-5, momentum = 0.9), relu1: Relu,
             conv2: Conv2d<F, 3, padding = 1, bias = false>, bn2: BatchNorm(eps = 1e-5, momentum = 0.9)],
            [downsample: Downsample(F)],
        ),
        relu: Relu,
    }

    /// `layer1`: two blocks at the stem's width.
    block Stage1(F) {
        #[rename = "0"] first: BasicBlock(F),
        #[rename = "1"] second: BasicBlock(F),
    }

    /// `layer2`..`layer4`: a block that halves the map, then one that keeps it.
    block Stage(F) {
        #[rename = "0"] first: DownBlock(F),
        #[rename = "1"] second: BasicBlock(F),
    }

    /// torchvision's `resnet18()`.
    pub struct ResNet18 {
        input: [224, 224, 3],
        conv1: Conv2d<64, 7, stride = 2, padding = 3, bias = false>,
        bn1: BatchNorm(eps = 1e-5, momentum = 0.9),
        relu: Relu,
        maxpool: MaxPool2d<3, stride = 2, padding = 1>,
        layer1: Stage1(64),
        layer2: Stage(128),
        layer3: Stage(256),
        layer4: Stage(512),
        avgpool: GlobalAvgPool,
        fc: Dense<1000>,
    }
}
