/* x86_64 entry: InterruptFrame field offsets for assembly (checked in idt.cpp). */
#pragma once

#define FRAME_R11 32
#define FRAME_RCX 96
#define FRAME_RAX 112
#define FRAME_VECTOR 120
#define FRAME_ERROR_CODE 128
#define FRAME_RIP 136
#define FRAME_CS 144
#define FRAME_RFLAGS 152
#define FRAME_RSP 160
#define FRAME_SS 168
#define FRAME_SIZE 176
