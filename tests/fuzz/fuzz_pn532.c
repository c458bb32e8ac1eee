/* fuzz_pn532.c - libFuzzer harness for the PN532 frame parser of the test
 * emulator (tests/pn532_emu), which must survive any bytes a host, or a
 * broken libnfc, could send. The emulator is compiled in with its main
 * renamed; its pty is absent, so answers go nowhere. Input byte 0 puts a
 * card on the reader (bit 0) and byte 1 picks an answer fault. */
int pn532_emu_main(int argc, char **argv);
#define main pn532_emu_main
#include "../pn532_emu/pn532_emu.c" /* first: it sets the feature macros */
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t uid[7] = { 0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	size_t off = size < 2 ? size : 2;

	emu.master = emu.slave = -1;
	emu.inlen = 0;
	emu.uidlen = (size && (data[0] & 1)) ? sizeof uid : 0;
	memcpy(emu.uid, uid, sizeof uid);
	emu.ats = size && (data[0] & 2);
	emu.fault = size > 1 ? (enum emu_fault)(data[1] % 4) : EMU_NONE;
	while (off < size) {
		size_t n = size - off;
		if (n > sizeof emu.in - emu.inlen)
			n = sizeof emu.in - emu.inlen;
		memcpy(emu.in + emu.inlen, data + off, n);
		emu.inlen += n;
		off += n;
		emu_parse();
		if (emu.inlen == sizeof emu.in) /* a frame that can never complete */
			emu.inlen = 0;
	}
	return 0;
}
