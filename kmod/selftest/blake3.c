// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of BLAKE3, run at load by debug builds: the official test vectors
 * (BLAKE3-team/BLAKE3, test_vectors/test_vectors.json, CC0) of every input
 * length up to one chunk, in the three modes, each with its whole extended
 * output (131 bytes); the same inputs given in pieces; an input too long;
 * and the SIP022 session subkeys of ../shared/protocol-vectors.json.
 */

#ifdef DEBUG

#include <linux/kernel.h>
#include <linux/slab.h>

#include "check.h"

#define SS_B3_VEC_OUT	131

/* The vectors' key (keyed hash) and context (key derivation). */
static const char ss_b3_vec_key[] __initconst =
	"whats the Elvish word for friend";
static const char ss_b3_vec_context[] __initconst =
	"BLAKE3 2019-12-27 16:29:52 test vectors context";

/**
 * struct ss_b3_vec - one official test vector
 * @len: the input: @len bytes 0, 1, ..., 250, 0, 1, ...
 * @hash: the hash, in hex
 * @keyed: the keyed hash
 * @derive: the derived key
 */
struct ss_b3_vec {
	u16 len;
	const char *hash;
	const char *keyed;
	const char *derive;
};

static const struct ss_b3_vec ss_b3_vecs[] __initconst = {
	{
		.len = 0,
		.hash =
			"af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
			"e00f03e7b69af26b7faaf09fcd333050338ddfe085b8cc869ca98b206c08243a"
			"26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda"
			"7001c22e159b402631f277ca96f2defdf1078282314e763699a31c5363165421"
			"cce14d",
		.keyed =
			"92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26"
			"b18171a2f22a4b94822c701f107153dba24918c4bae4d2945c20ece13387627d"
			"3b73cbf97b797d5e59948c7ef788f54372df45e45e4293c7dc18c1d41144a975"
			"8be58960856be1eabbe22c2653190de560ca3b2ac4aa692a9210694254c371e8"
			"51bc8f",
		.derive =
			"2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d"
			"905630c8be290dfcf3e6842f13bddd573c098c3f17361f1f206b8cad9d088aa4"
			"a3f746752c6b0ce6a83b0da81d59649257cdf8eb3e9f7d4998e41021fac119de"
			"efb896224ac99f860011f73609e6e0e4540f93b273e56547dfd3aa1a035ba668"
			"9d89a0",
	},
	{
		.len = 1,
		.hash =
			"2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"
			"c3a6cb8bf623e20cdb535f8d1a5ffb86342d9c0b64aca3bce1d31f60adfa137b"
			"358ad4d79f97b47c3d5e79f179df87a3b9776ef8325f8329886ba42f07fb138b"
			"b502f4081cbcec3195c5871e6c23e2cc97d3c69a613eba131e5f1351f3f1da78"
			"6545e5",
		.keyed =
			"6d7878dfff2f485635d39013278ae14f1454b8c0a3a2d34bc1ab38228a80c95b"
			"6568c0490609413006fbd428eb3fd14e7756d90f73a4725fad147f7bf70fd61c"
			"4e0cf7074885e92b0e3f125978b4154986d4fb202a3f331a3fb6cf349a3a70e4"
			"9990f98fe4289761c8602c4e6ab1138d31d3b62218078b2f3ba9a88e1d08d0dd"
			"4cea11",
		.derive =
			"b3e2e340a117a499c6cf2398a19ee0d29cca2bb7404c73063382693bf66cb06c"
			"5827b91bf889b6b97c5477f535361caefca0b5d8c4746441c576171119331589"
			"50670f9aa8a05d791daae10ac683cbef8faf897c84e6114a59d2173c3f417023"
			"a35d6983f2c7dfa57e7fc559ad751dbfb9ffab39c2ef8c4aafebc9ae973a64f0"
			"c76551",
	},
	{
		.len = 2,
		.hash =
			"7b7015bb92cf0b318037702a6cdd81dee41224f734684c2c122cd6359cb1ee63"
			"d8386b22e2ddc05836b7c1bb693d92af006deb5ffbc4c70fb44d0195d0c6f252"
			"faac61659ef86523aa16517f87cb5f1340e723756ab65efb2f91964e14391de2"
			"a432263a6faf1d146937b35a33621c12d00be8223a7f1919cec0acd12097ff3a"
			"b00ab1",
		.keyed =
			"5392ddae0e0a69d5f40160462cbd9bd889375082ff224ac9c758802b7a6fd20a"
			"9ffbf7efd13e989a6c246f96d3a96b9d279f2c4e63fb0bdff633957acf50ee1a"
			"5f658be144bab0f6f16500dee4aa5967fc2c586d85a04caddec90fffb7633f46"
			"a60786024353b9e5cebe277fcd9514217fee2267dcda8f7b31697b7c54fab6a9"
			"39bf8f",
		.derive =
			"1f166565a7df0098ee65922d7fea425fb18b9943f19d6161e2d17939356168e6"
			"daa59cae19892b2d54f6fc9f475d26031fd1c22ae0a3e8ef7bdb23f452a15e00"
			"27629d2e867b1bb1e6ab21c71297377750826c404dfccc2406bd57a83775f89e"
			"0b075e59a7732326715ef912078e213944f490ad68037557518b79c0086de6d6"
			"f6cdd2",
	},
	{
		.len = 3,
		.hash =
			"e1be4d7a8ab5560aa4199eea339849ba8e293d55ca0a81006726d184519e647f"
			"5b49b82f805a538c68915c1ae8035c900fd1d4b13902920fd05e1450822f36de"
			"9454b7e9996de4900c8e723512883f93f4345f8a58bfe64ee38d3ad71ab02776"
			"5d25cdd0e448328a8e7a683b9a6af8b0af94fa09010d9186890b096a08471e42"
			"30a134",
		.keyed =
			"39e67b76b5a007d4921969779fe666da67b5213b096084ab674742f0d5ec62b9"
			"b9142d0fab08e1b161efdbb28d18afc64d8f72160c958e53a950cdecf91c1a1b"
			"bab1a9c0f01def762a77e2e8545d4dec241e98a89b6db2e9a5b070fc110caae2"
			"622690bd7b76c02ab60750a3ea75426a6bb8803c370ffe465f07fb57def95df7"
			"72c39f",
		.derive =
			"440aba35cb006b61fc17c0529255de438efc06a8c9ebf3f2ddac3b5a86705797"
			"f27e2e914574f4d87ec04c379e12789eccbfbc15892626042707802dbe4e97c3"
			"ff59dca80c1e54246b6d055154f7348a39b7d098b2b4824ebe90e104e763b2a4"
			"47512132cede16243484a55a4e40a85790038bb0dcf762e8c053cabae41bbe22"
			"a5bff7",
	},
	{
		.len = 4,
		.hash =
			"f30f5ab28fe047904037f77b6da4fea1e27241c5d132638d8bedce9d40494f32"
			"8f603ba4564453e06cdcee6cbe728a4519bbe6f0d41e8a14b5b225174a566dbf"
			"a61b56afb1e452dc08c804f8c3143c9e2cc4a31bb738bf8c1917b55830c6e657"
			"97211701dc0b98daa1faeaa6ee9e56ab606ce03a1a881e8f14e87a4acf464627"
			"2cfd12",
		.keyed =
			"7671dde590c95d5ac9616651ff5aa0a27bee5913a348e053b8aa9108917fe070"
			"116c0acff3f0d1fa97ab38d813fd46506089118147d83393019b068a55d64625"
			"1ecf81105f798d76a10ae413f3d925787d6216a7eb444e510fd56916f1d753a5"
			"544ecf0072134a146b2615b42f50c179f56b8fae0788008e3e27c67482349e24"
			"9cb86a",
		.derive =
			"f46085c8190d69022369ce1a18880e9b369c135eb93f3c63550d3e7630e91060"
			"fbd7d8f4258bec9da4e05044f88b91944f7cab317a2f0c18279629a3867fad06"
			"62c9ad4d42c6f27e5b124da17c8c4f3a94a025ba5d1b623686c6099d202a7317"
			"a82e3d95dae46a87de0555d727a5df55de44dab799a20dffe239594d6e99ed17"
			"950910",
	},
	{
		.len = 5,
		.hash =
			"b40b44dfd97e7a84a996a91af8b85188c66c126940ba7aad2e7ae6b385402aa2"
			"ebcfdac6c5d32c31209e1f81a454751280db64942ce395104e1e4eaca62607de"
			"1c2ca748251754ea5bbe8c20150e7f47efd57012c63b3c6a6632dc1c7cd15f3e"
			"1c999904037d60fac2eb9397f2adbe458d7f264e64f1e73aa927b30988e2aed2"
			"f03620",
		.keyed =
			"73ac69eecf286894d8102018a6fc729f4b1f4247d3703f69bdc6a5fe3e0c8461"
			"6ab199d1f2f3e53bffb17f0a2209fe8b4f7d4c7bae59c2bc7d01f1ff94c67588"
			"cc6b38fa6024886f2c078bfe09b5d9e6584cd6c521c3bb52f4de7687b37117a2"
			"dbbec0d59e92fa9a8cc3240d4432f91757aabcae03e87431dac003e7d73574bf"
			"dd8218",
		.derive =
			"1f24eda69dbcb752847ec3ebb5dd42836d86e58500c7c98d906ecd82ed9ae47f"
			"6f48a3f67e4e43329c9a89b1ca526b9b35cbf7d25c1e353baffb590fd79be58d"
			"db6c711f1a6b60e98620b851c688670412fcb0435657ba6b638d21f0f2a04f2f"
			"6b0bd8834837b10e438d5f4c7c2c71299cf7586ea9144ed09253d51f8f54dd6b"
			"ff719d",
	},
	{
		.len = 6,
		.hash =
			"06c4e8ffb6872fad96f9aaca5eee1553eb62aed0ad7198cef42e87f6a616c844"
			"611a30c4e4f37fe2fe23c0883cde5cf7059d88b657c7ed2087e3d210925ede71"
			"6435d6d5d82597a1e52b9553919e804f5656278bd739880692c94bff2824d8e0"
			"b48cac1d24682699e4883389dc4f2faa2eb3b4db6e39debd5061ff3609916f3e"
			"07529a",
		.keyed =
			"82d3199d0013035682cc7f2a399d4c212544376a839aa863a0f4c91220ca7a6d"
			"c2ffb3aa05f2631f0fa9ac19b6e97eb7e6669e5ec254799350c8b8d189e88078"
			"00842a5383c4d907c932f34490aaf00064de8cdb157357bde37c1504d2960034"
			"930887603abc5ccb9f5247f79224baff6120a3c622a46d7b1bcaee02c5025460"
			"941256",
		.derive =
			"be96b30b37919fe4379dfbe752ae77b4f7e2ab92f7ff27435f76f2f065f6a5f4"
			"35ae01a1d14bd5a6b3b69d8cbd35f0b01ef2173ff6f9b640ca0bd4748efa398b"
			"f9a9c0acd6a66d9332fdc9b47ffe28ba7ab6090c26747b85f4fab22f936b71eb"
			"3f64613d8bd9dfabe9bb68da19de78321b481e5297df9e40ec8a3d662f3e1479"
			"c65de0",
	},
	{
		.len = 7,
		.hash =
			"3f8770f387faad08faa9d8414e9f449ac68e6ff0417f673f602a646a891419fe"
			"66036ef6e6d1a8f54baa9fed1fc11c77cfb9cff65bae915045027046ebe0c01b"
			"f5a941f3bb0f73791d3fc0b84370f9f30af0cd5b0fc334dd61f70feb60dad785"
			"f070fef1f343ed933b49a5ca0d16a503f599a365a4296739248b28d1a20b0e2c"
			"c8975c",
		.keyed =
			"af0a7ec382aedc0cfd626e49e7628bc7a353a4cb108855541a5651bf64fbb28a"
			"7c5035ba0f48a9c73dabb2be0533d02e8fd5d0d5639a18b2803ba6bf527e1d14"
			"5d5fd6406c437b79bcaad6c7bdf1cf4bd56a893c3eb9510335a7a798548c6753"
			"f74617bede88bef924ba4b334f8852476d90b26c5dc4c3668a2519266a562c6c"
			"8034a6",
		.derive =
			"dc3b6485f9d94935329442916b0d059685ba815a1fa2a14107217453a7fc9f0e"
			"66266db2ea7c96843f9d8208e600a73f7f45b2f55b9e6d6a7ccf05daae63a3fd"
			"d10b25ac0bd2e224ce8291f88c05976d575df998477db86fb2cfbbf91725d62c"
			"b57acfeb3c2d973b89b503c2b60dde85a7802b69dc1ac2007d5623cbea8cbfb6"
			"b181f5",
	},
	{
		.len = 8,
		.hash =
			"2351207d04fc16ade43ccab08600939c7c1fa70a5c0aaca76063d04c3228eaeb"
			"725d6d46ceed8f785ab9f2f9b06acfe398c6699c6129da084cb531177445a682"
			"894f9685eaf836999221d17c9a64a3a057000524cd2823986db378b074290a1a"
			"9b93a22e135ed2c14c7e20c6d045cd00b903400374126676ea78874d79f2dd78"
			"83cf5c",
		.keyed =
			"be2f5495c61cba1bb348a34948c004045e3bd4dae8f0fe82bf44d0da245a0600"
			"48eb5e68ce6dea1eb0229e144f578b3aa7e9f4f85febd135df8525e6fe40c6f0"
			"340d13dd09b255ccd5112a94238f2be3c0b5b7ecde06580426a93e0708555a26"
			"5305abf86d874e34b4995b788e37a823491f25127a502fe0704baa6bfdf04e76"
			"c13276",
		.derive =
			"2b166978cef14d9d438046c720519d8b1cad707e199746f1562d0c87fbd32940"
			"f0e2545a96693a66654225ebbaac76d093bfa9cd8f525a53acb92a861a98c42e"
			"7d1c4ae82e68ab691d510012edd2a728f98cd4794ef757e94d6546961b4f280a"
			"51aac339cc95b64a92b83cc3f26d8af8dfb4c091c240acdb4d47728d23e71487"
			"20ef04",
	},
	{
		.len = 63,
		.hash =
			"e9bc37a594daad83be9470df7f7b3798297c3d834ce80ba85d6e207627b7db7b"
			"1197012b1e7d9af4d7cb7bdd1f3bb49a90a9b5dec3ea2bbc6eaebce77f4e470c"
			"bf4687093b5352f04e4a4570fba233164e6acc36900e35d185886a827f7ea9bd"
			"c1e5c3ce88b095a200e62c10c043b3e9bc6cb9b6ac4dfa51794b02ace9f98779"
			"040755",
		.keyed =
			"bb1eb5d4afa793c1ebdd9fb08def6c36d10096986ae0cfe148cd101170ce37ae"
			"a05a63d74a840aecd514f654f080e51ac50fd617d22610d91780fe6b07a26b08"
			"47abb38291058c97474ef6ddd190d30fc318185c09ca1589d2024f0a6f16d45f"
			"11678377483fa5c005b2a107cb9943e5da634e7046855eaa888663de55d64713"
			"71d55d",
		.derive =
			"b6451e30b953c206e34644c6803724e9d2725e0893039cfc49584f991f451af3"
			"b89e8ff572d3da4f4022199b9563b9d70ebb616efff0763e9abec71b550f1371"
			"e233319c4c4e74da936ba8e5bbb29a598e007a0bbfa929c99738ca2cc098d591"
			"34d11ff300c39f82e2fce9f7f0fa266459503f64ab9913befc65fddc474f6dc1"
			"c67669",
	},
	{
		.len = 64,
		.hash =
			"4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98"
			"fc9cc56cb831ffe33ea8e7e1d1df09b26efd2767670066aa82d023b1dfe8ab1b"
			"2b7fbb5b97592d46ffe3e05a6a9b592e2949c74160e4674301bc3f97e04903f8"
			"c6cf95b863174c33228924cdef7ae47559b10b294acd660666c4538833582b43"
			"f82d74",
		.keyed =
			"ba8ced36f327700d213f120b1a207a3b8c04330528586f414d09f2f7d9ccb7e6"
			"8244c26010afc3f762615bbac552a1ca909e67c83e2fd5478cf46b9e811efccc"
			"93f77a21b17a152ebaca1695733fdb086e23cd0eb48c41c034d52523fc21236e"
			"5d8c9255306e48d52ba40b4dac24256460d56573d1312319afcf3ed39d72d0bf"
			"c69acb",
		.derive =
			"a5c4a7053fa86b64746d4bb688d06ad1f02a18fce9afd3e818fefaa7126bf73e"
			"9b9493a9befebe0bf0c9509fb3105cfa0e262cde141aa8e3f2c2f77890bb64a4"
			"cca96922a21ead111f6338ad5244f2c15c44cb595443ac2ac294231e31be4a43"
			"07d0a91e874d36fc9852aeb1265c09b6e0cda7c37ef686fbbcab97e8ff66718b"
			"e048bb",
	},
	{
		.len = 65,
		.hash =
			"de1e5fa0be70df6d2be8fffd0e99ceaa8eb6e8c93a63f2d8d1c30ecb6b263dee"
			"0e16e0a4749d6811dd1d6d1265c29729b1b75a9ac346cf93f0e1d7296dfcfd43"
			"13b3a227faaaaf7757cc95b4e87a49be3b8a270a12020233509b1c3632b3485e"
			"ef309d0abc4a4a696c9decc6e90454b53b000f456a3f10079072baaf7a981653"
			"221f2c",
		.keyed =
			"c0a4edefa2d2accb9277c371ac12fcdbb52988a86edc54f0716e1591b4326e72"
			"d5e795f46a596b02d3d4bfb43abad1e5d19211152722ec1f20fef2cd413e3c22"
			"f2fc5da3d73041275be6ede3517b3b9f0fc67ade5956a672b8b75d96cb43294b"
			"9041497de92637ed3f2439225e683910cb3ae923374449ca788fb0f9bea92731"
			"bc26ad",
		.derive =
			"51fd05c3c1cfbc8ed67d139ad76f5cf8236cd2acd26627a30c104dfd9d3ff8a8"
			"2b02e8bd36d8498a75ad8c8e9b15eb386970283d6dd42c8ae7911cc592887fdb"
			"e26a0a5f0bf821cd92986c60b2502c9be3f98a9c133a7e8045ea867e0828c725"
			"2e739321f7c2d65daee4468eb4429efae469a42763f1f94977435d10dccae3e3"
			"dce88d",
	},
	{
		.len = 127,
		.hash =
			"d81293fda863f008c09e92fc382a81f5a0b4a1251cba1634016a0f86a6bd640d"
			"e3137d477156d1fde56b0cf36f8ef18b44b2d79897bece12227539ac9ae0a511"
			"9da47644d934d26e74dc316145dcb8bb69ac3f2e05c242dd6ee06484fcb0e956"
			"dc44355b452c5e2bbb5e2b66e99f5dd443d0cbcaaafd4beebaed24ae2f8bb672"
			"bcef78",
		.keyed =
			"c64200ae7dfaf35577ac5a9521c47863fb71514a3bcad18819218b818de85818"
			"ee7a317aaccc1458f78d6f65f3427ec97d9c0adb0d6dacd4471374b621b7b5f3"
			"5cd54663c64dbe0b9e2d95632f84c611313ea5bd90b71ce97b3cf645776f3adc"
			"11e27d135cbadb9875c2bf8d3ae6b02f8a0206aba0c35bfe42574011931c9a25"
			"5ce6dc",
		.derive =
			"c91c090ceee3a3ac81902da31838012625bbcd73fcb92e7d7e56f78deba4f0c3"
			"feeb3974306966ccb3e3c69c337ef8a45660ad02526306fd685c88542ad00f75"
			"9af6dd1adc2e50c2b8aac9f0c5221ff481565cf6455b772515a69463223202e5"
			"c371743e35210bbbbabd89651684107fd9fe493c937be16e39cfa7084a36207c"
			"99bea3",
	},
	{
		.len = 128,
		.hash =
			"f17e570564b26578c33bb7f44643f539624b05df1a76c81f30acd548c44b45ef"
			"a69faba091427f9c5c4caa873aa07828651f19c55bad85c47d1368b11c6fd99e"
			"47ecba5820a0325984d74fe3e4058494ca12e3f1d3293d0010a9722f7dee64f7"
			"1246f75e9361f44cc8e214a100650db1313ff76a9f93ec6e84edb7add1cb4a95"
			"019b0c",
		.keyed =
			"b04fe15577457267ff3b6f3c947d93be581e7e3a4b018679125eaf86f6a628ec"
			"d86bbe0001f10bda47e6077b735016fca8119da11348d93ca302bbd125bde0db"
			"2b50edbe728a620bb9d3e6f706286aedea973425c0b9eedf8a38873544cf91ba"
			"df49ad92a635a93f71ddfcee1eae536c25d1b270956be16588ef1cfef2f1d15f"
			"650bd5",
		.derive =
			"81720f34452f58a0120a58b6b4608384b5c51d11f39ce97161a0c0e442ca0225"
			"50e7cd651e312f0b4c6afb3c348ae5dd17d2b29fab3b894d9a0034c7b04fd919"
			"0cbd90043ff65d1657bbc05bfdecf2897dd894c7a1b54656d59a50b51190a9da"
			"44db426266ad6ce7c173a8c0bbe091b75e734b4dadb59b2861cd2518b4e7591e"
			"4b83c9",
	},
	{
		.len = 129,
		.hash =
			"683aaae9f3c5ba37eaaf072aed0f9e30bac0865137bae68b1fde4ca2aebdcb12"
			"f96ffa7b36dd78ba321be7e842d364a62a42e3746681c8bace18a4a8a7964928"
			"5c7127bf8febf125be9de39586d251f0d41da20980b70d35e3dac0eee59e468a"
			"894fa7e6a07129aaad09855f6ad4801512a116ba2b7841e6cfc99ad77594a8f2"
			"d181a7",
		.keyed =
			"d4a64dae6cdccbac1e5287f54f17c5f985105457c1a2ec1878ebd4b57e20d38f"
			"1c9db018541eec241b748f87725665b7b1ace3e0065b29c3bcb232c90e37897f"
			"a5aaee7e1e8a2ecfcd9b51463e42238cfdd7fee1aecb3267fa7f212807917613"
			"2a412cd8aaf0791276f6b98ff67359bd8652ef3a203976d5ff1cd41885573487"
			"bcd683",
		.derive =
			"938d2d4435be30eafdbb2b7031f7857c98b04881227391dc40db3c7b21f41fc1"
			"8d72d0f9c1de5760e1941aebf3100b51d64644cb459eb5d20258e233892805eb"
			"98b07570ef2a1787cd48e117c8d6a63a68fd8fc8e59e79dbe63129e883528657"
			"21c8d5f0cf183f85e0609860472b0d6087cefdd186d984b21542c1c780684ed6"
			"832d8d",
	},
	{
		.len = 1023,
		.hash =
			"10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"
			"a182d27a591b05592b15607500e1e8dd56bc6c7fc063715b7a1d737df5bad333"
			"9c56778957d870eb9717b57ea3d9fb68d1b55127bba6a906a4a24bbd5acb2d12"
			"3a37b28f9e9a81bbaae360d58f85e5fc9d75f7c370a0cc09b6522d9c8d822f2f"
			"28f485",
		.keyed =
			"c951ecdf03288d0fcc96ee3413563d8a6d3589547f2c2fb36d9786470f1b9d6e"
			"890316d2e6d8b8c25b0a5b2180f94fb1a158ef508c3cde45e2966bd796a696d3"
			"e13efd86259d756387d9becf5c8bf1ce2192b87025152907b6d8cc33d17826d8"
			"b7b9bc97e38c3c85108ef09f013e01c229c20a83d9e8efac5b37470da28575fd"
			"755a10",
		.derive =
			"74a16c1c3d44368a86e1ca6df64be6a2f64cce8f09220787450722d85725dea5"
			"9c413264404661e9e4d955409dfe4ad3aa487871bcd454ed12abfe2c2b1eb775"
			"7588cf6cb18d2eccad49e018c0d0fec323bec82bf1644c6325717d13ea712e68"
			"40d3e6e730d35553f59eff5377a9c350bcc1556694b924b858f329c44ee64b88"
			"4ef00d",
	},
	{
		.len = 1024,
		.hash =
			"42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"
			"1cf8107265ecdaf8505b95d8fcec83a98a6a96ea5109d2c179c47a387ffbb404"
			"756f6eeae7883b446b70ebb144527c2075ab8ab204c0086bb22b7c93d465efc5"
			"7f8d917f0b385c6df265e77003b85102967486ed57db5c5ca170ba441427ed9a"
			"fa684e",
		.keyed =
			"75c46f6f3d9eb4f55ecaaee480db732e6c2105546f1e675003687c31719c7ba4"
			"a78bc838c72852d4f49c864acb7adafe2478e824afe51c8919d06168414c265f"
			"298a8094b1ad813a9b8614acabac321f24ce61c5a5346eb519520d38ecc43e89"
			"b5000236df0597243e4d2493fd626730e2ba17ac4d8824d09d1a4a8f57b82277"
			"78e2de",
		.derive =
			"7356cd7720d5b66b6d0697eb3177d9f8d73a4a5c5e968896eb6a689684302706"
			"6c23b601d3ddfb391e90d5c8eccdef4ae2a264bce9e612ba15e2bc9d654af148"
			"1b2e75dbabe615974f1070bba84d56853265a34330b4766f8e75edd1f4a16504"
			"76c10802f22b64bd3919d246ba20a17558bc51c199efdec67e80a227251808d8"
			"ce5bad",
	},
};

/**
 * struct ss_b3_subkey - a SIP022 session subkey: BLAKE3's key derivation
 *	with the context "shadowsocks 2022 session subkey" of PSK || salt
 * @psk: the PSK, in hex (its length is the subkey's)
 * @salt: the salt, as long
 * @subkey: the subkey
 */
struct ss_b3_subkey {
	const char *psk;
	const char *salt;
	const char *subkey;
};

static const struct ss_b3_subkey ss_b3_subkeys[] __initconst = {
	{
		.psk =
			"000102030405060708090a0b0c0d0e0f",
		.salt =
			"101112131415161718191a1b1c1d1e1f",
		.subkey =
			"bc32fb8d5205f7b84f9691dfb9f04ff3",
	},
	{
		.psk =
			"2dcded4f1d0163a649fdf0b03b1dc9bc5d08fda9e1c0904ee69dbe140e5571ee",
		.salt =
			"de814ed15c8bc862389c537433d3feeb6bcf343fcbeaff088a781a3c95936c90",
		.subkey =
			"11d344fb853c7559c74f4fa9a001432b66dd9707eb1d3eb5b1436bf5660f87e1",
	},
};

/* The first @len bytes of the hex @want, decoded into @buf, against @got. */
static bool __init ss_b3_same(const u8 *got, const char *want, size_t len,
			      u8 *buf)
{
	return strlen(want) >= 2 * len && !hex2bin(buf, want, len) &&
	       !memcmp(got, buf, len);
}

/*
 * One mode of one vector: @h started in the mode, the input given whole,
 * then (@h2) in pieces of 1, 63 and 64 bytes and the rest; a 32-byte
 * output must be the extended output's prefix.
 */
static bool __init ss_b3_check(struct ss_blake3 *h, struct ss_blake3 *h2,
			       const u8 *in, size_t len, const char *want,
			       const char *mode, u8 *out, u8 *buf)
{
	static const size_t pieces[] = { 1, 63, 64 };
	size_t off = 0, n;
	unsigned int i;
	bool ok = true;

	ss_blake3_update(h, in, len);
	SS_CHECK(!ss_blake3_final(h, out, SS_B3_VEC_OUT) &&
		 ss_b3_same(out, want, SS_B3_VEC_OUT, buf),
		 "blake3 %s of %zu bytes", mode, len);
	for (i = 0; off < len; i++) {
		n = min(len - off, i < ARRAY_SIZE(pieces) ? pieces[i] : len);
		ss_blake3_update(h2, in + off, n);
		off += n;
	}
	SS_CHECK(!ss_blake3_final(h2, out, SS_BLAKE3_OUT_LEN) &&
		 ss_b3_same(out, want, SS_BLAKE3_OUT_LEN, buf),
		 "blake3 %s of %zu bytes given in pieces", mode, len);
	return ok;
}

static bool __init ss_b3_selftest_vec(const struct ss_b3_vec *v, u8 *in,
				      u8 *out, u8 *buf)
{
	struct ss_blake3 h, h2;
	bool ok = true;

	ss_blake3_init(&h);
	ss_blake3_init(&h2);
	ok &= ss_b3_check(&h, &h2, in, v->len, v->hash, "hash", out, buf);
	ss_blake3_init_keyed(&h, (const u8 *)ss_b3_vec_key);
	ss_blake3_init_keyed(&h2, (const u8 *)ss_b3_vec_key);
	ok &= ss_b3_check(&h, &h2, in, v->len, v->keyed, "keyed hash", out,
			  buf);
	ss_blake3_init_derive_key(&h, ss_b3_vec_context);
	ss_blake3_init_derive_key(&h2, ss_b3_vec_context);
	ok &= ss_b3_check(&h, &h2, in, v->len, v->derive, "key derivation",
			  out, buf);
	return ok;
}

static bool __init ss_b3_selftest_subkey(const struct ss_b3_subkey *v,
					 u8 *out, u8 *buf)
{
	size_t len = strlen(v->psk) / 2;
	u8 psk[32], salt[32];
	struct ss_blake3 h;
	bool ok = true;

	if (len > sizeof(psk) || hex2bin(psk, v->psk, len) ||
	    hex2bin(salt, v->salt, len)) {
		SS_CHECK(false, "SIP022 subkey vector malformed");
		return ok;
	}
	ss_blake3_init_derive_key(&h, "shadowsocks 2022 session subkey");
	ss_blake3_update(&h, psk, len);
	ss_blake3_update(&h, salt, len);
	SS_CHECK(!ss_blake3_final(&h, out, len) &&
		 ss_b3_same(out, v->subkey, len, buf),
		 "SIP022 session subkey of a %zu-byte PSK", len);
	return ok;
}

/**
 * ss_blake3_selftest() - known-answer tests of BLAKE3
 *
 * Prints each failure as "crypto self-tests: FAIL ...".
 *
 * Return: true if all passed.
 */
bool __init ss_blake3_selftest(void)
{
	u8 *in, *out, *buf;
	struct ss_blake3 h;
	unsigned int i;
	bool ok = true;

	in = kmalloc(SS_BLAKE3_CHUNK_LEN + 1, GFP_KERNEL);
	out = kmalloc(SS_B3_VEC_OUT, GFP_KERNEL);
	buf = kmalloc(SS_B3_VEC_OUT, GFP_KERNEL);
	if (!in || !out || !buf) {
		ok = false;
		goto out;
	}
	for (i = 0; i <= SS_BLAKE3_CHUNK_LEN; i++)
		in[i] = i % 251;

	for (i = 0; i < ARRAY_SIZE(ss_b3_vecs); i++)
		ok &= ss_b3_selftest_vec(&ss_b3_vecs[i], in, out, buf);
	for (i = 0; i < ARRAY_SIZE(ss_b3_subkeys); i++)
		ok &= ss_b3_selftest_subkey(&ss_b3_subkeys[i], out, buf);

	/* More than a chunk: refused, whether whole or in pieces. */
	ss_blake3_init(&h);
	ss_blake3_update(&h, in, SS_BLAKE3_CHUNK_LEN + 1);
	SS_CHECK(ss_blake3_final(&h, out, SS_BLAKE3_OUT_LEN) == -EINVAL,
		 "blake3 of more than a chunk refused");
	ss_blake3_init(&h);
	ss_blake3_update(&h, in, SS_BLAKE3_CHUNK_LEN);
	ss_blake3_update(&h, in, 1);
	SS_CHECK(ss_blake3_final(&h, out, SS_BLAKE3_OUT_LEN) == -EINVAL,
		 "blake3 of a chunk and a byte refused");
out:
	kfree(in);
	kfree(out);
	kfree(buf);
	return ok;
}

#undef SS_CHECK

#endif /* DEBUG */
