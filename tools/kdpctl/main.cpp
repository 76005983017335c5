// kdpctl: the whole program is the kdpctl_cli library (cli/); this file only hands argv over.
#include <iostream>

#include "cli/dispatch.h"

int main(int argc, char** argv) { return kdp::cli::run_kdpctl(argc, argv, std::cout, std::cerr); }
