# Doxygen: target 'docs'. WARN_AS_ERROR makes an undocumented public entity a build failure.
find_package(Doxygen REQUIRED COMPONENTS dot)
set(XENABI_DOXYGEN_OUT ${CMAKE_CURRENT_BINARY_DIR}/docs)
set(XENABI_DOXYGEN_EXAMPLE_PATH "")
foreach(dir IN ITEMS examples tests porting-guide)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir})
    string(APPEND XENABI_DOXYGEN_EXAMPLE_PATH " ${CMAKE_CURRENT_SOURCE_DIR}/${dir}")
  endif()
endforeach()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/docs/Doxyfile.in ${CMAKE_CURRENT_BINARY_DIR}/Doxyfile @ONLY)
add_custom_target(docs
  COMMAND ${DOXYGEN_EXECUTABLE} ${CMAKE_CURRENT_BINARY_DIR}/Doxyfile
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
  COMMENT "Doxygen (warnings are errors): ${XENABI_DOXYGEN_OUT}/html/index.html"
  VERBATIM)
