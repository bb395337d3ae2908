package main

import "github.com/sonicsaas/sonic-release/internal/actions"

var writeOutputsForTest = actions.WriteOutputs
