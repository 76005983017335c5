regs
--json regs
