/* What `openssl speed -evp` times against what a seal does, on the same libcrypto.
 *
 *   methods CIPHER MODE N     CIPHER: ChaCha20-Poly1305 or AES-256-GCM; N messages of 16 KiB
 *
 *   stream  `openssl speed -evp` (OpenSSL 3.0 apps/speed.c, EVP_Update_loop): one context keyed
 *           once, then only EVP_EncryptUpdate over the same buffer in place; no nonce, no
 *           associated data, no tag per message (one Final after the run)
 *   aead    `openssl speed -aead -evp` (EVP_Update_loop_aead): per message a nonce, 13 bytes of
 *           associated data, the data in place, Final; the tag is not read back
 *   seal    a seal as Relay.Crypto's AeadCipher does it: per message a nonce, the data into another
 *           buffer, Final and the tag read back
 *
 * measure.sh runs it under callgrind (instructions per message) and timed (the ratio). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: methods CIPHER stream|aead|seal N\n");
        return 2;
    }
    const char *mode = argv[2];
    long n = atol(argv[3]);
    static unsigned char in[16384], out[16384 + 16], key[32], iv[12], aad[13];
    int outl;
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, argv[1], NULL);
    if (cipher == NULL) {
        fprintf(stderr, "no cipher %s\n", argv[1]);
        return 2;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, 1);
    for (long i = 0; i < n; i++) {
        if (strcmp(mode, "stream") == 0) {
            EVP_EncryptUpdate(ctx, in, &outl, in, sizeof in);
        } else if (strcmp(mode, "aead") == 0) {
            EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv);
            EVP_EncryptUpdate(ctx, NULL, &outl, aad, sizeof aad);
            EVP_EncryptUpdate(ctx, in, &outl, in, sizeof in);
            EVP_EncryptFinal_ex(ctx, in + outl, &outl);
        } else {
            iv[11] = (unsigned char)i;
            EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv);
            EVP_EncryptUpdate(ctx, out, &outl, in, sizeof in);
            EVP_EncryptFinal_ex(ctx, out + sizeof in, &outl);
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + sizeof in);
        }
    }
    EVP_EncryptFinal_ex(ctx, out, &outl);
    printf("%s %s %ld %02x\n", argv[1], mode, n, out[0] ^ in[0]);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    return 0;
}
