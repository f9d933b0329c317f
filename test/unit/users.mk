# test/unit/users.mk: unit test programs (Check)
