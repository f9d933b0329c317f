# test/fuzz/fuzz.mk: libFuzzer targets (./configure --enable-fuzz CC=clang)
