// n2v command line: parses flags into config structs and calls the library (work in progress:
// subcommands are added by apps/*.cpp).
#include <cstdio>
int main() { std::puts("n2v"); return 0; }
