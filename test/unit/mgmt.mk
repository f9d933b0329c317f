# test/unit/mgmt.mk: unit test programs (Check)
