# test/unit/core.mk: unit test programs (Check)
