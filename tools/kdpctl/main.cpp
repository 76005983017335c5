// kdpctl: one subcommand per cmd_<name>.cpp; this file only hands over to the dispatcher.
#include <iostream>

#include "tools/kdpctl/dispatch.h"

int main(int argc, char** argv) { return kdp::cli::run_kdpctl(argc, argv, std::cout, std::cerr); }
