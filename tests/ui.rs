//! Compile-fail cases: every mistake is a compile error at the token at fault.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    // With a passing case trybuild builds instead of only checking, which
    // is what reports the errors found when generic code is instantiated.
    cases.pass("tests/ui/pass/*.rs");
}
