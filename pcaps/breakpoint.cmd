regs
