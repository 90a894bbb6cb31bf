//! torchvision's InceptionV3 and ResNet-18, declared as users copy them:
//! their shapes, parameter counts and tensor names are torchvision's.

#[path = "models/torchvision.rs"]
mod torchvision;

use torchvision::{InceptionV3, ResNet18};

#[test]
fn inception_v3_has_torchvision_s_shapes_and_counts() {
    // torchvision: sum(p.numel() for p in inception_v3(aux_logits=False, init_weights=False).parameters())
    assert_eq!(InceptionV3::PARAMS, 23_834_568);
    assert_eq!(InceptionV3::OUTPUT, 1000);
}

#[test]
fn resnet18_has_torchvision_s_shapes_and_counts() {
    assert_eq!(ResNet18::PARAMS, 11_689_512);
    assert_eq!(ResNet18::OUTPUT, 1000);
}

#[test]
fn the_seed_s_backbone_ends_in_mixed7_s_map() {
    use typenet::prelude::*;
    let shape = <torchvision::InceptionMixed7 as Layer>::OUTPUT_SHAPE;
    assert_eq!(shape, &[7, 7, 768]);
}
