# embed.cmake - turns a text file into a C string (cmake -DIN= -DOUT= -DNAME= -P).
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* generated from ${IN} by embed.cmake */\nconst char ${NAME}[] = {${bytes}0x00};\n")
