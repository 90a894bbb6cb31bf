//! Compile-fail cases: every mistake is a compile error at the token at fault.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
