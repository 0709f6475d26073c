# Warnings for everything the project compiles, under GCC and Clang: all of them are errors.
add_library(xenabi_warnings INTERFACE)
target_compile_options(xenabi_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Wnull-dereference -Wdouble-promotion -Werror)
