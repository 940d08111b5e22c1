// Times sgemm call shapes on one OpenBLAS (the system's, or NumPy's bundled one), min and median.
// Build: cc -O2 -o gemmcmp gemmcmp.c -ldl
// Run:   NT=1 CPU=1 ./gemmcmp system            (NT: OpenBLAS threads; CPU set: process CPU time, else wall)
//        NT=1 CPU=1 ./gemmcmp numpy <path of numpy.libs/libscipy_openblas64_*.so>
// "NT(A)" is gemm(NoTrans, Trans) on A (m x n), the call DenseMatrix.applyUnchecked makes; "NN(At)" is
// gemm(NoTrans, NoTrans) on a contiguous At, NumPy's `x @ At` and DenseBatchProduct's call. B = 1: the GEMVs.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
typedef void (*gemm32)(int,int,int,int,int,int,float,const float*,int,const float*,int,float,float*,int);
typedef void (*gemm64)(int,int,int,int64_t,int64_t,int64_t,float,const float*,int64_t,const float*,int64_t,float,float*,int64_t);
typedef void (*gemv32)(int,int,int,int,float,const float*,int,const float*,int,float,float*,int);
typedef void (*gemv64)(int,int,int64_t,int64_t,float,const float*,int64_t,const float*,int64_t,float,float*,int64_t);
static double now(void){struct timespec t;clock_gettime(getenv("CPU")?CLOCK_PROCESS_CPUTIME_ID:CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  int numpy = argc>1 && !strcmp(argv[1],"numpy");
  void*h = dlopen(numpy ? (argc > 2 ? argv[2] : "") : "libopenblas.so.0", RTLD_NOW|RTLD_LOCAL);
  if(!h){fprintf(stderr,"%s\n",dlerror());return 1;}
  gemm32 g32=0; gemm64 g64=0; gemv32 v32=0; gemv64 v64=0;
  if(numpy){g64=dlsym(h,"scipy_cblas_sgemm64_");v64=dlsym(h,"scipy_cblas_sgemv64_");void(*st)(int)=dlsym(h,"scipy_openblas_set_num_threads64_");st(atoi(getenv("NT")));}
  else {g32=dlsym(h,"cblas_sgemm");v32=dlsym(h,"cblas_sgemv");void(*st)(int)=dlsym(h,"openblas_set_num_threads");st(atoi(getenv("NT")));}
  int shapes[][2]={{1024,1024},{512,1024},{4096,4096},{8192,2048},{256,256},{32,288}};
  int Bs[]={1,16,256,4096};
  for(int s=0;s<6;s++) for(int bi=0;bi<4;bi++){
    int m=shapes[s][0],n=shapes[s][1],B=Bs[bi]; if((long)m*n*B>(long)1<<32) continue;
    float*A=malloc(sizeof(float)*m*n),*At=malloc(sizeof(float)*m*n),*x=malloc(sizeof(float)*B*n),*y=malloc(sizeof(float)*B*m);
    for(long i=0;i<(long)m*n;i++)A[i]=At[i]=(float)(i%7)*0.1f;
    for(long i=0;i<(long)B*n;i++)x[i]=(float)(i%5)*0.1f;
    for(int form=0;form<2;form++){ // 0: ours NT with A (m x n); 1: numpy NN with At (n x m)
      double t[15]; int R=15; double total=0;
      for(int r=-1;r<R;r++){
        double t0=now();
        if(B==1){ // gemv: y = A x
          if(form==0){ if(numpy) v64(101,111,m,n,1,A,n,x,1,0,y,1); else v32(101,111,m,n,1,A,n,x,1,0,y,1);}
          else { if(numpy) v64(101,112,n,m,1,At,m,x,1,0,y,1); else v32(101,112,n,m,1,At,m,x,1,0,y,1);}
        } else if(form==0){ if(numpy) g64(101,111,112,B,m,n,1,x,n,A,n,0,y,m); else g32(101,111,112,B,m,n,1,x,n,A,n,0,y,m);}
        else { if(numpy) g64(101,111,111,B,m,n,1,x,n,At,m,0,y,m); else g32(101,111,111,B,m,n,1,x,n,At,m,0,y,m);}
        double d=now()-t0; if(r>=0)t[r]=d; total+=d; if(total>1.0&&r>=2){R=r+1;break;}
      }
      qsort(t,R,sizeof(double),cmp);
      printf("%s %5dx%-5d B=%-5d %s min %9.3f ms med %9.3f ms  %6.1f GF/s(min)\n",numpy?"numpyOB":"system ",m,n,B,form?"NN(At)":"NT(A) ",t[0]*1e3,t[R/2]*1e3,2.0*B*m*n/t[0]/1e9);
    }
    free(A);free(At);free(x);free(y);
  }
}
